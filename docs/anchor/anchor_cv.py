#!/usr/bin/python3
"""anchor_cv.py: the issues' scikit-learn anchors, cross-validated on the train splits.

The targets of issues 4 and 5 are set against scikit-learn anchors scored on held-out test
splits nobody here can see. Our own figures are 5-fold CV on the train splits, which is not the
same measure: more or less training data, another mix of letters. Scoring the anchors the same
way puts both on one scale, so "our CV − anchor CV" can be set beside "target − anchor on test".

Measurement aid only: nothing in the product or CI runs it. Debian 12:
    apt-get install -y python3-sklearn python3-jieba
    /usr/bin/python3 docs/anchor/anchor_cv.py            # ~6 minutes on 2 cores
    /usr/bin/python3 docs/anchor/anchor_cv.py route 3 10 # routing only, 3- and 10-fold (a learning curve)

Classifiers: LinearSVC (C=1) on TfidfVectorizer of jieba words 1-2 grams (every token kept)
and of characters 1-3 grams, 5-fold stratified CV, fold seeds 0-2, means reported (as
`go test ./nlp -run TestClassifierCV -classify-cv -cv-seeds 3`).
Routing: LinearSVC on TF-IDF of characters 1-3 of title + body, the route tests' folds
(letter i in fold i % k, identical letters in their group's first letter's fold), top-3 from
the decision function (as `go test ./route -run TestCrossValidationNLP -tune -folds k`; k is 5
unless numbers follow `route`). The anchor's test figure is trained on all 4,602 letters, CV on
(k-1)/k of them: scoring k = 3, 5, 10 here and there gives both learning curves, so the part of
the anchor's CV-to-test gain that more training data explains can be told from the rest.
"""
import json, logging, sys

import jieba
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

jieba.setLogLevel(logging.WARNING)
DATA = '/work/shared/data/'


def rows(s):
    return [json.loads(l) for l in open(DATA + s + '/train.jsonl', encoding='utf-8')]


def classifiers(sets):
    for s in sets:
        rs = rows(s)
        texts = [r.get('text') or (r['title'] + '\n' + r['body']) for r in rs]
        y = np.array([str(r['label']) for r in rs])
        words = []
        for t in texts:
            w = jieba.lcut(t)
            words.append(w + [a + ' ' + b for a, b in zip(w, w[1:])])
        for name, docs, vec in [
            ('jieba words 1-2', words, lambda: TfidfVectorizer(analyzer=lambda d: d)),
            ('chars 1-3', texts, lambda: TfidfVectorizer(analyzer='char', ngram_range=(1, 3))),
        ]:
            acc, f1 = [], []
            for seed in range(3):
                for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(texts, y):
                    v = vec()
                    a = v.fit_transform([docs[i] for i in tr])
                    p = LinearSVC(C=1.0).fit(a, y[tr]).predict(v.transform([docs[i] for i in te]))
                    acc.append(accuracy_score(y[te], p))
                    f1.append(f1_score(y[te], p, average='macro'))
            print(f'{s:22s} {name:16s} acc {np.mean(acc):.4f} macro-F1 {np.mean(f1):.4f}', flush=True)


def routing(k=5):
    rs = rows('shanghai_petition')
    texts = [r['title'] + '\n' + r['body'] for r in rs]
    y = np.array([r['department'] for r in rs])
    first = {}
    fold = [first.setdefault(t, i) % k for i, t in enumerate(texts)]
    hit1 = hit3 = 0
    for f in range(k):
        tr = [i for i in range(len(rs)) if fold[i] != f]
        te = [i for i in range(len(rs)) if fold[i] == f]
        v = TfidfVectorizer(analyzer='char', ngram_range=(1, 3))
        m = LinearSVC(C=1.0).fit(v.fit_transform([texts[i] for i in tr]), y[tr])
        d = m.decision_function(v.transform([texts[i] for i in te]))
        top = m.classes_[np.argsort(-d, axis=1)[:, :3]]
        for j, i in enumerate(te):
            hit1 += top[j, 0] == y[i]
            hit3 += y[i] in top[j]
    n = len(rs)
    print(f'shanghai_petition      chars 1-3        acc {hit1 / n:.4f} top-3 {hit3 / n:.4f}', flush=True)


if __name__ == '__main__':
    what = sys.argv[1:] or ['classify', 'route']
    if 'classify' in what:
        classifiers(['teddy2020c_classify', 'waimai_10k', 'chnsenticorp_htl_all', 'smp2020_ewect_virus'])
    if 'route' in what:
        for k in [int(a) for a in what if a.isdigit()] or [5]:
            print(f'{k}-fold:', flush=True)
            routing(k)
