package app

import (
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestSynthIsReproducibleAndRealistic(t *testing.T) {
	s, err := NewSynth(7)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := NewSynth(7)
	other, _ := NewSynth(8)
	channels := map[string]int{}
	for i := range 2000 {
		it := s.Item(i)
		if !reflect.DeepEqual(it, s2.Item(i)) {
			t.Fatalf("item %d differs between two generators with one seed", i)
		}
		if reflect.DeepEqual(it, other.Item(i)) {
			t.Fatalf("item %d is the same under another seed", i)
		}
		n := utf8.RuneCountInString(it.Body)
		if n < 40 || n > 480 || it.Title == "" {
			t.Fatalf("item %d: body of %d characters, title %q", i, n, it.Title)
		}
		if it.Time.After(synthEnd) || it.Time.Before(synthEnd.AddDate(-3, 0, -1)) {
			t.Fatalf("item %d time %v outside the three years", i, it.Time)
		}
		channels[it.Channel]++
	}
	if len(channels) != len(synthChannels) {
		t.Errorf("channels = %v", channels)
	}
	t.Logf("sample: %s | %s", s.Item(0).Title, s.Item(0).Body)
}
