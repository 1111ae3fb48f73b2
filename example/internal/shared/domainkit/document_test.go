package domainkit

import (
	"database/sql/driver"
	"errors"
	"math"
	"strings"
	"testing"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

func mustStruct(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDocumentValue(t *testing.T) {
	tests := []struct {
		name string
		doc  driver.Valuer
		want any
	}{
		{name: "nil message is NULL", doc: Document[*structpb.Struct]("settings", nil), want: nil},
		{name: "empty message is {}", doc: Document("settings", &structpb.Struct{}), want: "{}"},
		{name: "message with proto names", doc: Document("filter", &altalunev1.FilterValues{Values: []string{"a"}}), want: `{"values":["a"]}`},
		{name: "nil list is []", doc: Documents[*altalunev1.StringList]("lists", nil), want: "[]"},
		{name: "list of documents", doc: Documents("lists", []*altalunev1.StringList{{Values: []string{"a"}}, {}}), want: `[{"values":["a"]},{}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.doc.Value()
			if err != nil {
				t.Fatalf("Value() error = %v", err)
			}
			if s, ok := got.(string); ok {
				got = strings.ReplaceAll(s, " ", "")
			}
			if got != tt.want {
				t.Errorf("Value() = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDocumentValueErrors(t *testing.T) {
	big := &structpb.Struct{Fields: map[string]*structpb.Value{
		"text": structpb.NewStringValue(strings.Repeat("x", MaxDocumentBytes)),
	}}
	half := &altalunev1.StringList{Values: []string{strings.Repeat("y", MaxDocumentBytes/2)}}
	nan := &structpb.Struct{Fields: map[string]*structpb.Value{"n": structpb.NewNumberValue(math.NaN())}}
	tests := []struct {
		name    string
		doc     driver.Valuer
		wantErr string
	}{
		{name: "document too large", doc: Document("settings", big), wantErr: "settings: the document is larger than 1048576 bytes"},
		{name: "list too large together", doc: Documents("lists", []*altalunev1.StringList{half, half}), wantErr: "lists: the document is larger than 1048576 bytes"},
		{name: "NaN is not JSON", doc: Document("settings", nan), wantErr: "settings: cannot be stored as JSON: "},
		{name: "NaN in a list", doc: Documents("items", []*structpb.Struct{nan}), wantErr: "items: cannot be stored as JSON: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.doc.Value()
			var docErr *DocumentError
			if !errors.As(err, &docErr) || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("Value() error = %v, want a DocumentError %q", err, tt.wantErr)
			}
		})
	}
}

func TestScanDocument(t *testing.T) {
	var got *altalunev1.StringList
	s := ScanDocument(&got)
	for _, src := range []any{`{"values":["a"],"unknown":1}`, []byte(`{"values":["a"]}`)} {
		got = nil
		if err := s.Scan(src); err != nil {
			t.Fatalf("Scan(%v) error = %v", src, err)
		}
		if !proto.Equal(got, &altalunev1.StringList{Values: []string{"a"}}) {
			t.Errorf("Scan(%v) = %v", src, got)
		}
	}
	if err := s.Scan(`{}`); err != nil || got == nil || len(got.Values) != 0 {
		t.Errorf("Scan({}) = %v, %v; want an empty message", got, err)
	}
	if err := s.Scan(nil); err != nil || got != nil {
		t.Errorf("Scan(nil) = %v, %v; want nil", got, err)
	}
	if err := s.Scan(`{"values": 3}`); err == nil || !strings.HasPrefix(err.Error(), "read document: ") {
		t.Errorf("Scan(bad) error = %v", err)
	}
	if err := s.Scan(42); err == nil || err.Error() != "read document: unexpected int" {
		t.Errorf("Scan(42) error = %v", err)
	}
}

func TestScanDocuments(t *testing.T) {
	var got []*altalunev1.StringList
	s := ScanDocuments(&got)
	if err := s.Scan(`[{"values":["a"]},{}]`); err != nil {
		t.Fatalf("Scan() error = %v", err)
	}
	if len(got) != 2 || !proto.Equal(got[0], &altalunev1.StringList{Values: []string{"a"}}) || got[1] == nil {
		t.Errorf("Scan() = %v", got)
	}
	if err := s.Scan(`[]`); err != nil || got == nil || len(got) != 0 {
		t.Errorf("Scan([]) = %#v, %v; want an empty slice", got, err)
	}
	if err := s.Scan(nil); err != nil || got != nil {
		t.Errorf("Scan(nil) = %v, %v; want nil", got, err)
	}
	if err := s.Scan(`{}`); err == nil || !strings.HasPrefix(err.Error(), "read documents: ") {
		t.Errorf("Scan(object) error = %v", err)
	}
	if err := s.Scan(`[{}, {"values": 1}]`); err == nil || !strings.HasPrefix(err.Error(), "read document 1: ") {
		t.Errorf("Scan(bad item) error = %v", err)
	}
	if err := s.Scan(1.5); err == nil {
		t.Error("Scan(1.5) error = nil")
	}
}
