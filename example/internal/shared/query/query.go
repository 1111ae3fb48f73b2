// Package query turns the API's QueryRequest into the parameters list
// endpoints are served with, and holds the shape of their results.
package query

import (
	"slices"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// Defaults applied when a request leaves pagination unset.
const (
	DefaultPage     int32 = 1
	DefaultPageSize int32 = 10
)

// PaginationParams selects one page of a result; Page starts at 1.
type PaginationParams struct {
	Page     int32
	PageSize int32
}

// Offset returns the number of rows before the page.
func (p PaginationParams) Offset() int64 {
	return int64(p.Page-1) * int64(p.PageSize)
}

// TotalPages returns the number of pages totalRows fill.
func (p PaginationParams) TotalPages(totalRows int32) int32 {
	if p.PageSize <= 0 || totalRows <= 0 {
		return 0
	}
	return int32((int64(totalRows) + int64(p.PageSize) - 1) / int64(p.PageSize))
}

// SortOrder is the direction of a sort.
type SortOrder string

// Sort directions, as written in SQL.
const (
	SortOrderAsc  SortOrder = "asc"
	SortOrderDesc SortOrder = "desc"
)

// SortingParams sorts by one field. Repositories accept only the fields
// they whitelist.
type SortingParams struct {
	Field string
	Order SortOrder
}

// QueryParams are the parameters of a list query.
type QueryParams struct {
	Pagination PaginationParams
	// Keyword is searched for, case-insensitively, in the text columns.
	Keyword string
	// Filters maps a field to the values it may take; fields a repository
	// does not know are ignored.
	Filters map[string][]string
	// Sorting is nil when the request asks for the default order.
	Sorting *SortingParams
}

// QueryResult is one page of a list query.
type QueryResult[T any] struct {
	Data       []*T
	TotalRows  int32
	TotalPages int32
	// Filters maps each filterable field to the values it can be filtered
	// by.
	Filters map[string][]string
}

// DefaultQueryParams converts req into QueryParams: page 1 and 10 rows per
// page unless the request gives positive values, the filters that list at
// least one value, and the sorting when it names a field (an unspecified
// order sorts ascending).
//
// As in the repository this package mirrors, req must not be nil: it reads
// req.Keyword first and panics on a nil request. Callers pass a non-nil
// QueryRequest (the generated code does not call it at all).
func DefaultQueryParams(req *altalunev1.QueryRequest) *QueryParams {
	params := &QueryParams{
		Keyword:    req.Keyword,
		Pagination: PaginationParams{Page: DefaultPage, PageSize: DefaultPageSize},
		Filters:    map[string][]string{},
	}

	if page := req.GetPagination().GetPage(); page > 0 {
		params.Pagination.Page = page
	}
	if size := req.GetPagination().GetPageSize(); size > 0 {
		params.Pagination.PageSize = size
	}

	for field, list := range req.GetFilters() {
		if values := list.GetValues(); len(values) > 0 {
			params.Filters[field] = slices.Clone(values)
		}
	}

	if sorting := req.GetSorting(); sorting.GetField() != "" {
		params.Sorting = &SortingParams{
			Field: sorting.GetField(),
			Order: sortOrder(sorting.GetOrder()),
		}
	}
	return params
}

func sortOrder(o altalunev1.SortOrder) SortOrder {
	if o == altalunev1.SortOrder_SORT_ORDER_DESC {
		return SortOrderDesc
	}
	return SortOrderAsc
}
