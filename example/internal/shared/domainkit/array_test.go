package domainkit

import (
	"reflect"
	"testing"
)

func TestArray(t *testing.T) {
	if got := Array[string](nil); got == nil || len(got) != 0 {
		t.Errorf("Array(nil) = %#v, want an empty slice", got)
	}
	in := []int64{1, 2}
	if got := Array(in); !reflect.DeepEqual(got, in) {
		t.Errorf("Array(%v) = %v", in, got)
	}
}

func TestScanArray(t *testing.T) {
	var tags []string
	s := ScanArray(&tags)
	if err := s.Scan(`{a,"b c",NULL}`); err == nil {
		t.Errorf("Scan(with NULL) = %v, want an error", tags)
	}
	if err := s.Scan(`{a,"b c"}`); err != nil || !reflect.DeepEqual(tags, []string{"a", "b c"}) {
		t.Errorf("Scan() = %#v, %v", tags, err)
	}
	if err := s.Scan([]byte(`{}`)); err != nil || tags == nil || len(tags) != 0 {
		t.Errorf("Scan({}) = %#v, %v; want an empty slice", tags, err)
	}
	tags = nil
	if err := s.Scan(nil); err != nil || tags == nil {
		t.Errorf("Scan(nil) = %#v, %v; want an empty slice", tags, err)
	}
	var numbers []int64
	if err := ScanArray(&numbers).Scan(`{3,-4}`); err != nil || !reflect.DeepEqual(numbers, []int64{3, -4}) {
		t.Errorf("Scan(int8[]) = %v, %v", numbers, err)
	}
}
