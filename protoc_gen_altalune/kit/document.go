package domainkit

import (
	"bytes"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// MaxDocumentBytes bounds the JSON of one document column (a message field,
// or every message of a repeated one together): a larger write is an
// invalid payload, whatever the request's own size limit lets through.
const MaxDocumentBytes = 1 << 20

// documentWriter writes a message as a JSONB document: field names as in the
// .proto file (tags_count, not tagsCount), so that SQL written by hand reads
// the names the schema declares; unset fields are left out.
var documentWriter = protojson.MarshalOptions{UseProtoNames: true}

// documentReader reads a stored document: a field the message no longer
// declares (a document written before the field was removed) is skipped,
// not an error. Both proto and JSON field names are accepted.
var documentReader = protojson.UnmarshalOptions{DiscardUnknown: true}

// DocumentError is a message that cannot be stored as a document: its JSON
// is larger than MaxDocumentBytes, or it holds what JSON cannot (such as a
// google.protobuf.Value that is NaN). The service answers it as an invalid
// payload.
type DocumentError struct {
	Field string
	msg   string
}

func (e *DocumentError) Error() string {
	return e.Field + ": " + e.msg
}

// Document is the value bound to the JSONB column of message field field:
// the message's protojson, SQL NULL for nil (an empty message is '{}').
func Document[M proto.Message](field string, m M) driver.Valuer {
	return document[M]{field: field, msg: m, list: false}
}

// Documents is the value bound to the JSONB column of repeated message field
// field: a JSON array of the messages' protojson ('[]' for none).
func Documents[M proto.Message](field string, list []M) driver.Valuer {
	return document[M]{field: field, items: list, list: true}
}

type document[M proto.Message] struct {
	field string
	msg   M
	items []M
	list  bool
}

// Value marshals the document when the statement binds it.
func (d document[M]) Value() (driver.Value, error) {
	var buf bytes.Buffer
	if !d.list {
		if !d.msg.ProtoReflect().IsValid() {
			return nil, nil
		}
		if err := d.write(&buf, d.msg); err != nil {
			return nil, err
		}
		return buf.String(), nil
	}
	buf.WriteByte('[')
	for i, m := range d.items {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := d.write(&buf, m); err != nil {
			return nil, err
		}
	}
	buf.WriteByte(']')
	return buf.String(), nil
}

// write appends m's JSON to buf, within MaxDocumentBytes in all. A nil item
// of a list is written as an empty message.
func (d document[M]) write(buf *bytes.Buffer, m M) error {
	b, err := documentWriter.Marshal(m)
	if err != nil {
		return &DocumentError{Field: d.field, msg: "cannot be stored as JSON: " + err.Error()}
	}
	if buf.Len()+len(b)+1 > MaxDocumentBytes {
		return &DocumentError{Field: d.field, msg: fmt.Sprintf("the document is larger than %d bytes", MaxDocumentBytes)}
	}
	buf.Write(b)
	return nil
}

// ScanDocument is the scan destination of message field dst's JSONB column:
// NULL reads as nil, a document as a new message.
func ScanDocument[T any, M interface {
	*T
	proto.Message
}](dst *M) sql.Scanner {
	return scanFunc(func(src any) error {
		raw, ok, err := rawJSON(src)
		if err != nil || !ok {
			*dst = nil
			return err
		}
		m := M(new(T))
		if err := documentReader.Unmarshal(raw, m); err != nil {
			return fmt.Errorf("read document: %w", err)
		}
		*dst = m
		return nil
	})
}

// ScanDocuments is the scan destination of repeated message field dst's
// JSONB column, a JSON array of documents (NULL reads as none).
func ScanDocuments[T any, M interface {
	*T
	proto.Message
}](dst *[]M) sql.Scanner {
	return scanFunc(func(src any) error {
		raw, ok, err := rawJSON(src)
		if err != nil || !ok {
			*dst = nil
			return err
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return fmt.Errorf("read documents: %w", err)
		}
		list := make([]M, len(items))
		for i, item := range items {
			list[i] = M(new(T))
			if err := documentReader.Unmarshal(item, list[i]); err != nil {
				return fmt.Errorf("read document %d: %w", i, err)
			}
		}
		*dst = list
		return nil
	})
}

// rawJSON is the JSON text a JSONB column was read as; ok is false for NULL.
func rawJSON(src any) ([]byte, bool, error) {
	switch src := src.(type) {
	case nil:
		return nil, false, nil
	case []byte:
		return src, true, nil
	case string:
		return []byte(src), true, nil
	}
	return nil, false, fmt.Errorf("read document: unexpected %T", src)
}

// scanFunc is a function as an sql.Scanner.
type scanFunc func(src any) error

func (f scanFunc) Scan(src any) error {
	return f(src)
}
