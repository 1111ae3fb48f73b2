package domainkit

import (
	"database/sql"
	"sync"

	"github.com/jackc/pgx/v5/pgtype"
)

// Array is the value bound to the array column of a repeated scalar field:
// the slice itself, empty rather than nil, since the column is NOT NULL
// (proto does not tell an empty list from an absent one).
func Array[T any](values []T) []T {
	if values == nil {
		return []T{}
	}
	return values
}

// arrayTypes decodes PostgreSQL arrays. database/sql over pgx hands a scan
// destination an array as its text form; a pgtype.Map parses it. A Map
// caches its plans and is not safe for concurrent use, so each scan takes
// one from the pool.
var arrayTypes = sync.Pool{New: func() any { return pgtype.NewMap() }}

// ScanArray is the scan destination of a repeated scalar field's array
// column, such as TEXT[] into a []string. NULL reads as an empty slice.
func ScanArray[T any](dst *[]T) sql.Scanner {
	return scanFunc(func(src any) error {
		if src == nil {
			*dst = []T{}
			return nil
		}
		m := arrayTypes.Get().(*pgtype.Map)
		defer arrayTypes.Put(m)
		return m.SQLScanner(dst).Scan(src)
	})
}
