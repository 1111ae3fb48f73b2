package query

import (
	"reflect"
	"testing"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

func TestDefaultQueryParams(t *testing.T) {
	defaults := PaginationParams{Page: 1, PageSize: 10}

	tests := []struct {
		name string
		req  *altalunev1.QueryRequest
		want *QueryParams
	}{
		{
			name: "empty request",
			req:  &altalunev1.QueryRequest{},
			want: &QueryParams{Pagination: defaults, Filters: map[string][]string{}},
		},
		{
			name: "zero pagination keeps defaults",
			req:  &altalunev1.QueryRequest{Pagination: &altalunev1.Pagination{}},
			want: &QueryParams{Pagination: defaults, Filters: map[string][]string{}},
		},
		{
			name: "everything given",
			req: &altalunev1.QueryRequest{
				Pagination: &altalunev1.Pagination{Page: 3, PageSize: 25},
				Keyword:    "ada",
				Filters: map[string]*altalunev1.StringList{
					"role":   {Values: []string{"engineer", "manager"}},
					"status": {Values: nil},
					"team":   nil,
				},
				Sorting: &altalunev1.Sorting{Field: "name", Order: altalunev1.SortOrder_SORT_ORDER_DESC},
			},
			want: &QueryParams{
				Pagination: PaginationParams{Page: 3, PageSize: 25},
				Keyword:    "ada",
				Filters:    map[string][]string{"role": {"engineer", "manager"}},
				Sorting:    &SortingParams{Field: "name", Order: SortOrderDesc},
			},
		},
		{
			name: "only page size",
			req:  &altalunev1.QueryRequest{Pagination: &altalunev1.Pagination{PageSize: 50}},
			want: &QueryParams{Pagination: PaginationParams{Page: 1, PageSize: 50}, Filters: map[string][]string{}},
		},
		{
			name: "ascending sort",
			req:  &altalunev1.QueryRequest{Sorting: &altalunev1.Sorting{Field: "email", Order: altalunev1.SortOrder_SORT_ORDER_ASC}},
			want: &QueryParams{Pagination: defaults, Filters: map[string][]string{}, Sorting: &SortingParams{Field: "email", Order: SortOrderAsc}},
		},
		{
			name: "unspecified order sorts ascending",
			req:  &altalunev1.QueryRequest{Sorting: &altalunev1.Sorting{Field: "email"}},
			want: &QueryParams{Pagination: defaults, Filters: map[string][]string{}, Sorting: &SortingParams{Field: "email", Order: SortOrderAsc}},
		},
		{
			name: "sorting without field is ignored",
			req:  &altalunev1.QueryRequest{Sorting: &altalunev1.Sorting{Order: altalunev1.SortOrder_SORT_ORDER_DESC}},
			want: &QueryParams{Pagination: defaults, Filters: map[string][]string{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DefaultQueryParams(tt.req)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DefaultQueryParams() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// The contract's helper is not nil-safe; the reference keeps that so that
// code relying on it fails here as it would in the real repository.
func TestDefaultQueryParamsPanicsOnNil(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("DefaultQueryParams(nil) did not panic")
		}
	}()
	DefaultQueryParams(nil)
}

func TestDefaultQueryParamsCopiesFilterValues(t *testing.T) {
	values := []string{"a"}
	req := &altalunev1.QueryRequest{Filters: map[string]*altalunev1.StringList{"f": {Values: values}}}
	params := DefaultQueryParams(req)
	params.Filters["f"][0] = "changed"
	if values[0] != "a" {
		t.Fatal("QueryParams.Filters shares its backing array with the request")
	}
}

func TestPaginationParams(t *testing.T) {
	tests := []struct {
		p          PaginationParams
		rows       int32
		offset     int64
		totalPages int32
	}{
		{PaginationParams{Page: 1, PageSize: 10}, 0, 0, 0},
		{PaginationParams{Page: 1, PageSize: 10}, 10, 0, 1},
		{PaginationParams{Page: 2, PageSize: 10}, 11, 10, 2},
		{PaginationParams{Page: 3, PageSize: 25}, 100, 50, 4},
		{PaginationParams{Page: 1 << 30, PageSize: 100}, 1<<31 - 1, (1<<30 - 1) * 100, 21474837},
	}
	for _, tt := range tests {
		if got := tt.p.Offset(); got != tt.offset {
			t.Errorf("%+v.Offset() = %d, want %d", tt.p, got, tt.offset)
		}
		if got := tt.p.TotalPages(tt.rows); got != tt.totalPages {
			t.Errorf("%+v.TotalPages(%d) = %d, want %d", tt.p, tt.rows, got, tt.totalPages)
		}
	}
}
