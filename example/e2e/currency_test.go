//go:build e2e

package e2e

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// Currency is a global entity: one table, no project in its requests.

const (
	msgCurrencyCreated = "Currency created successfully"
	msgCurrencyUpdated = "Currency updated successfully"
	msgCurrencyDeleted = "Currency deleted successfully"
)

var (
	codeSeq  atomic.Int64
	codeBase = rand.Int64N(26 * 26 * 26)
)

// newCurrencyCode returns a three-letter code not used before in this run.
func newCurrencyCode() string {
	n := (codeBase + codeSeq.Add(1)) % (26 * 26 * 26)
	return string([]byte{byte('A' + n/676), byte('A' + n/26%26), byte('A' + n%26)})
}

func newCurrencyRequest() *altalunev1.CreateCurrencyRequest {
	code := newCurrencyCode()
	return &altalunev1.CreateCurrencyRequest{Code: code, Name: "Currency " + code, DecimalPlaces: 2, Active: true}
}

// fullCurrencyRequest sets every field, with values at the edges of their types.
func fullCurrencyRequest() *altalunev1.CreateCurrencyRequest {
	req := newCurrencyRequest()
	req.Symbol = ptr("¤$")
	req.DecimalPlaces = 8
	req.NumericCode = math.MinInt32
	req.Circulation = math.MaxUint64 // 18446744073709551615, above 2^63
	req.ReserveBalance = math.MinInt64
	req.DisplayWeight = math.MaxUint32
	req.ExchangeRate = 1234.5678
	req.Active = true
	req.SymbolImage = []byte{0x00, 0x01, 0x00, 0xff, 0xfe, 0x00, 'a', 0x00, '\'', '\\', 0x00}
	req.Description = wrapperspb.String("A currency\nwith ünïcode, 'quotes' and \\backslashes")
	req.MinorUnitTotal = wrapperspb.Int64(math.MaxInt64)
	req.Crypto = wrapperspb.Bool(true)
	req.PegRate = wrapperspb.Double(1.0000000001)
	req.IssuerId = ptr(int64(-42))
	return req
}

// zeroCurrencyRequest sets every optional field present with its zero value.
func zeroCurrencyRequest() *altalunev1.CreateCurrencyRequest {
	req := newCurrencyRequest()
	req.Symbol = ptr("")
	req.DecimalPlaces = 0
	req.Active = false
	req.SymbolImage = []byte{}
	req.Description = wrapperspb.String("")
	req.MinorUnitTotal = wrapperspb.Int64(0)
	req.Crypto = wrapperspb.Bool(false)
	req.PegRate = wrapperspb.Double(0)
	req.IssuerId = ptr(int64(0))
	return req
}

func createCurrency(t *testing.T, api *API, req *altalunev1.CreateCurrencyRequest) *altalunev1.Currency {
	t.Helper()
	res, err := api.Currencies.Create(ctxFor(t), req)
	requireOK(t, err, "CreateCurrency")
	requireMessage(t, res.GetMessage(), msgCurrencyCreated)
	if res.GetCurrency().GetId() == "" {
		t.Fatal("CreateCurrency returned a currency without id")
	}
	return res.GetCurrency()
}

func getCurrency(t *testing.T, api *API, id string) *altalunev1.Currency {
	t.Helper()
	res, err := api.Currencies.Get(ctxFor(t), &altalunev1.GetCurrencyRequest{CurrencyId: id})
	requireOK(t, err, "GetCurrency")
	return res.GetCurrency()
}

func expectedCurrency(req *altalunev1.CreateCurrencyRequest, got *altalunev1.Currency) *altalunev1.Currency {
	return &altalunev1.Currency{
		Id:             got.GetId(),
		Code:           req.GetCode(),
		Name:           req.GetName(),
		Symbol:         req.Symbol,
		DecimalPlaces:  req.GetDecimalPlaces(),
		NumericCode:    req.GetNumericCode(),
		Circulation:    req.GetCirculation(),
		ReserveBalance: req.GetReserveBalance(),
		DisplayWeight:  req.GetDisplayWeight(),
		ExchangeRate:   req.GetExchangeRate(),
		Active:         req.GetActive(),
		SymbolImage:    req.GetSymbolImage(),
		Description:    req.GetDescription(),
		MinorUnitTotal: req.GetMinorUnitTotal(),
		Crypto:         req.GetCrypto(),
		PegRate:        req.GetPegRate(),
		IssuerId:       req.IssuerId,
		CreatedAt:      got.GetCreatedAt(),
		UpdatedAt:      got.GetUpdatedAt(),
	}
}

// currencyUpdate turns a create request into an update of currency id.
func currencyUpdate(id string, c *altalunev1.CreateCurrencyRequest) *altalunev1.UpdateCurrencyRequest {
	return &altalunev1.UpdateCurrencyRequest{
		CurrencyId:     id,
		Code:           c.GetCode(),
		Name:           c.GetName(),
		Symbol:         c.Symbol,
		DecimalPlaces:  c.GetDecimalPlaces(),
		NumericCode:    c.GetNumericCode(),
		Circulation:    c.GetCirculation(),
		ReserveBalance: c.GetReserveBalance(),
		DisplayWeight:  c.GetDisplayWeight(),
		ExchangeRate:   c.GetExchangeRate(),
		Active:         c.GetActive(),
		SymbolImage:    c.GetSymbolImage(),
		Description:    c.GetDescription(),
		MinorUnitTotal: c.GetMinorUnitTotal(),
		Crypto:         c.GetCrypto(),
		PegRate:        c.GetPegRate(),
		IssuerId:       c.IssuerId,
	}
}

// createRequestFrom repeats a currency's values as a create request.
func createRequestFrom(c *altalunev1.Currency) *altalunev1.CreateCurrencyRequest {
	return &altalunev1.CreateCurrencyRequest{
		Code: c.GetCode(), Name: c.GetName(), Symbol: c.Symbol, DecimalPlaces: c.GetDecimalPlaces(),
		NumericCode: c.GetNumericCode(), Circulation: c.GetCirculation(), ReserveBalance: c.GetReserveBalance(),
		DisplayWeight: c.GetDisplayWeight(), ExchangeRate: c.GetExchangeRate(), Active: c.GetActive(),
		SymbolImage: c.GetSymbolImage(), Description: c.GetDescription(), MinorUnitTotal: c.GetMinorUnitTotal(),
		Crypto: c.GetCrypto(), PegRate: c.GetPegRate(), IssuerId: c.IssuerId,
	}
}

// requireCurrencyNulls checks which nullable columns are NULL in the database.
func requireCurrencyNulls(t *testing.T, c *altalunev1.Currency) {
	t.Helper()
	var symbol, description, minor, crypto, peg, issuer bool
	dbScan(t, `SELECT symbol IS NULL, description IS NULL, minor_unit_total IS NULL, crypto IS NULL, peg_rate IS NULL, issuer_id IS NULL
		FROM altalune_currencies WHERE public_id = $1`, []any{c.GetId()},
		&symbol, &description, &minor, &crypto, &peg, &issuer)
	for _, col := range []struct {
		name       string
		null, want bool
	}{
		{"symbol", symbol, c.Symbol == nil},
		{"description", description, c.Description == nil},
		{"minor_unit_total", minor, c.MinorUnitTotal == nil},
		{"crypto", crypto, c.Crypto == nil},
		{"peg_rate", peg, c.PegRate == nil},
		{"issuer_id", issuer, c.IssuerId == nil},
	} {
		if col.null != col.want {
			t.Errorf("db %s IS NULL = %v, want %v", col.name, col.null, col.want)
		}
	}
	var image []byte
	dbScan(t, `SELECT symbol_image FROM altalune_currencies WHERE public_id = $1`, []any{c.GetId()}, &image)
	if !bytes.Equal(image, c.GetSymbolImage()) {
		t.Errorf("db symbol_image = %x, want %x", image, c.GetSymbolImage())
	}
	if t.Failed() {
		t.FailNow()
	}
}

func TestCurrencies(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		for _, c := range []struct {
			name string
			req  *altalunev1.CreateCurrencyRequest
		}{
			{"every field set at the edges of its type", fullCurrencyRequest()},
			{"optional fields present with zero values", zeroCurrencyRequest()},
			{"optional fields absent", newCurrencyRequest()},
			{"other extremes", func() *altalunev1.CreateCurrencyRequest {
				r := fullCurrencyRequest()
				r.NumericCode = math.MaxInt32
				r.Circulation = 1<<63 + 1
				r.ReserveBalance = math.MaxInt64
				r.ExchangeRate = -0.125
				r.MinorUnitTotal = wrapperspb.Int64(math.MinInt64)
				r.PegRate = wrapperspb.Double(-1e300)
				r.IssuerId = ptr(int64(math.MaxInt64))
				return r
			}()},
		} {
			t.Run("round-trip "+c.name, func(t *testing.T) {
				got := createCurrency(t, api, c.req)
				want := expectedCurrency(c.req, got)
				requireProtoEqual(t, got, want, "CreateCurrency currency")
				requireRecent(t, got.GetCreatedAt(), "created_at")
				requireRecent(t, got.GetUpdatedAt(), "updated_at")
				requireProtoEqual(t, getCurrency(t, api, got.GetId()), want, "GetCurrency currency")

				res, err := api.Currencies.Query(ctxFor(t), &altalunev1.QueryCurrenciesRequest{Query: &altalunev1.QueryRequest{Keyword: c.req.GetCode()}})
				requireOK(t, err, "QueryCurrencies")
				var found *altalunev1.Currency
				for _, d := range res.GetData() {
					if d.GetId() == got.GetId() {
						found = d
					}
				}
				if found == nil {
					t.Fatalf("QueryCurrencies with keyword %q did not return %s", c.req.GetCode(), got.GetId())
				}
				requireProtoEqual(t, found, want, "QueryCurrencies currency")
				requireCurrencyNulls(t, want)
			})
		}

		t.Run("binary symbol image", func(t *testing.T) {
			all := make([]byte, 256)
			for i := range all {
				all[i] = byte(i)
			}
			big := make([]byte, 4096)
			for i := range big {
				big[i] = byte(rand.IntN(4)) // mostly zero and low bytes
			}
			for name, img := range map[string][]byte{"every byte value": all, "4096 bytes": big, "only zero bytes": make([]byte, 17)} {
				req := newCurrencyRequest()
				req.SymbolImage = img
				got := createCurrency(t, api, req)
				if !bytes.Equal(got.GetSymbolImage(), img) {
					t.Fatalf("%s: symbol_image came back as %d bytes, want %d", name, len(got.GetSymbolImage()), len(img))
				}
				if !bytes.Equal(getCurrency(t, api, got.GetId()).GetSymbolImage(), img) {
					t.Fatalf("%s: GetCurrency symbol_image differs", name)
				}
				requireCurrencyNulls(t, expectedCurrency(req, got))
			}
		})

		t.Run("update replaces every field", func(t *testing.T) {
			created := createCurrency(t, api, fullCurrencyRequest())
			time.Sleep(20 * time.Millisecond)
			for _, next := range []*altalunev1.CreateCurrencyRequest{zeroCurrencyRequest(), newCurrencyRequest(), fullCurrencyRequest()} {
				res, err := api.Currencies.Update(ctxFor(t), currencyUpdate(created.GetId(), next))
				requireOK(t, err, "UpdateCurrency")
				requireMessage(t, res.GetMessage(), msgCurrencyUpdated)
				got := res.GetCurrency()
				want := expectedCurrency(next, got)
				want.CreatedAt = created.GetCreatedAt()
				requireProtoEqual(t, got, want, "UpdateCurrency currency")
				if !got.GetUpdatedAt().AsTime().After(created.GetUpdatedAt().AsTime()) {
					t.Fatalf("updated_at did not move: %s -> %s", created.GetUpdatedAt().AsTime(), got.GetUpdatedAt().AsTime())
				}
				requireProtoEqual(t, getCurrency(t, api, created.GetId()), want, "GetCurrency after update")
				requireCurrencyNulls(t, want)
			}
		})

		t.Run("code is unique", func(t *testing.T) {
			first := createCurrency(t, api, newCurrencyRequest())
			second := createCurrency(t, api, newCurrencyRequest())
			before := countRows(t, currenciesTable)

			dup := newCurrencyRequest()
			dup.Code = first.GetCode()
			_, err := api.Currencies.Create(ctxFor(t), dup)
			requireAPIError(t, err, "CreateCurrency with a taken code", connect.CodeAlreadyExists, codeCurrencyExists,
				map[string]string{"code": first.GetCode()})
			requireRowCount(t, currenciesTable, before)

			upd := currencyUpdate(second.GetId(), createRequestFrom(second))
			upd.Code = first.GetCode()
			_, err = api.Currencies.Update(ctxFor(t), upd)
			requireAPIError(t, err, "UpdateCurrency to a taken code", connect.CodeAlreadyExists, codeCurrencyExists,
				map[string]string{"code": first.GetCode()})
			requireProtoEqual(t, getCurrency(t, api, second.GetId()), second, "currency after the rejected update")

			keep := currencyUpdate(second.GetId(), createRequestFrom(second))
			keep.Name = "Kept code"
			_, err = api.Currencies.Update(ctxFor(t), keep)
			requireOK(t, err, "UpdateCurrency keeping its own code")
		})

		t.Run("code is unique regardless of case", func(t *testing.T) {
			// The API only accepts upper-case codes; store a lower-case one directly.
			stored := createCurrency(t, api, newCurrencyRequest())
			dbExec(t, "UPDATE altalune_currencies SET code = lower(code) WHERE public_id = $1", stored.GetId())
			before := countRows(t, currenciesTable)
			dup := newCurrencyRequest()
			dup.Code = stored.GetCode()
			_, err := api.Currencies.Create(ctxFor(t), dup)
			requireAPIError(t, err, "CreateCurrency with a code taken in lower case", connect.CodeAlreadyExists, codeCurrencyExists, anyMeta)
			ae, _ := decodeError(err)
			if d, _ := ae.errorDetail(); d == nil || !strings.EqualFold(d.GetMeta()["code"], stored.GetCode()) {
				t.Fatalf("ErrorDetail.meta = %v, want {code: %q} (any case)", d.GetMeta(), stored.GetCode())
			}
			requireRowCount(t, currenciesTable, before)
		})

		t.Run("missing currency", func(t *testing.T) {
			id := randomPublicID()
			meta := map[string]string{"currency_id": id}
			before := countRows(t, currenciesTable)
			_, err := api.Currencies.Get(ctxFor(t), &altalunev1.GetCurrencyRequest{CurrencyId: id})
			requireAPIError(t, err, "GetCurrency", connect.CodeNotFound, codeCurrencyNotFound, meta)
			_, err = api.Currencies.Update(ctxFor(t), currencyUpdate(id, newCurrencyRequest()))
			requireAPIError(t, err, "UpdateCurrency", connect.CodeNotFound, codeCurrencyNotFound, meta)
			_, err = api.Currencies.Delete(ctxFor(t), &altalunev1.DeleteCurrencyRequest{CurrencyId: id})
			requireAPIError(t, err, "DeleteCurrency", connect.CodeNotFound, codeCurrencyNotFound, meta)
			requireRowCount(t, currenciesTable, before)
		})

		t.Run("badly formatted ids", func(t *testing.T) {
			for _, id := range []string{"", "short", randomPublicID() + "x"} {
				_, err := api.Currencies.Get(ctxFor(t), &altalunev1.GetCurrencyRequest{CurrencyId: id})
				requireInvalidPayload(t, err, fmt.Sprintf("GetCurrency(%q)", id))
				_, err = api.Currencies.Update(ctxFor(t), currencyUpdate(id, newCurrencyRequest()))
				requireInvalidPayload(t, err, fmt.Sprintf("UpdateCurrency(%q)", id))
				_, err = api.Currencies.Delete(ctxFor(t), &altalunev1.DeleteCurrencyRequest{CurrencyId: id})
				requireInvalidPayload(t, err, fmt.Sprintf("DeleteCurrency(%q)", id))
			}
		})

		t.Run("invalid payloads write nothing", func(t *testing.T) {
			existing := createCurrency(t, api, fullCurrencyRequest())
			for _, c := range []struct {
				name   string
				mutate func(r *altalunev1.CreateCurrencyRequest)
			}{
				{"lower-case code", func(r *altalunev1.CreateCurrencyRequest) { r.Code = strings.ToLower(r.Code) }},
				{"two-letter code", func(r *altalunev1.CreateCurrencyRequest) { r.Code = r.Code[:2] }},
				{"four-letter code", func(r *altalunev1.CreateCurrencyRequest) { r.Code += "X" }},
				{"code with a digit", func(r *altalunev1.CreateCurrencyRequest) { r.Code = r.Code[:2] + "1" }},
				{"empty name", func(r *altalunev1.CreateCurrencyRequest) { r.Name = "" }},
				{"name of 81 characters", func(r *altalunev1.CreateCurrencyRequest) { r.Name = strings.Repeat("n", 81) }},
				{"symbol of 9 characters", func(r *altalunev1.CreateCurrencyRequest) { r.Symbol = ptr("123456789") }},
				{"9 decimal places", func(r *altalunev1.CreateCurrencyRequest) { r.DecimalPlaces = 9 }},
				{"symbol image of 4097 bytes", func(r *altalunev1.CreateCurrencyRequest) { r.SymbolImage = make([]byte, 4097) }},
				{"NUL in the name", func(r *altalunev1.CreateCurrencyRequest) { r.Name = "Null\x00Dollars" }},
				{"NUL in the symbol", func(r *altalunev1.CreateCurrencyRequest) { r.Symbol = ptr("\x00") }},
				{"NUL in the description", func(r *altalunev1.CreateCurrencyRequest) { r.Description = wrapperspb.String("a\x00b") }},
			} {
				t.Run(c.name, func(t *testing.T) {
					before := countRows(t, currenciesTable)
					req := newCurrencyRequest()
					c.mutate(req)
					_, err := api.Currencies.Create(ctxFor(t), req)
					requireInvalidPayload(t, err, "CreateCurrency")
					requireRowCount(t, currenciesTable, before)

					upd := fullCurrencyRequest()
					upd.Code = existing.GetCode()
					c.mutate(upd)
					_, err = api.Currencies.Update(ctxFor(t), currencyUpdate(existing.GetId(), upd))
					requireInvalidPayload(t, err, "UpdateCurrency")
					requireProtoEqual(t, getCurrency(t, api, existing.GetId()), existing, "currency after the rejected update")
				})
			}
		})

		t.Run("delete", func(t *testing.T) {
			c := createCurrency(t, api, newCurrencyRequest())
			before := countRows(t, currenciesTable)
			res, err := api.Currencies.Delete(ctxFor(t), &altalunev1.DeleteCurrencyRequest{CurrencyId: c.GetId()})
			requireOK(t, err, "DeleteCurrency")
			requireMessage(t, res.GetMessage(), msgCurrencyDeleted)
			requireRowCount(t, currenciesTable, before-1)
			meta := map[string]string{"currency_id": c.GetId()}
			_, err = api.Currencies.Get(ctxFor(t), &altalunev1.GetCurrencyRequest{CurrencyId: c.GetId()})
			requireAPIError(t, err, "GetCurrency after delete", connect.CodeNotFound, codeCurrencyNotFound, meta)
			_, err = api.Currencies.Delete(ctxFor(t), &altalunev1.DeleteCurrencyRequest{CurrencyId: c.GetId()})
			requireAPIError(t, err, "DeleteCurrency twice", connect.CodeNotFound, codeCurrencyNotFound, meta)
			// The code is free again.
			again := newCurrencyRequest()
			again.Code = c.GetCode()
			createCurrency(t, api, again)
		})
	})
}

// currencySortKeys compare currencies by a sort field.
var currencySortKeys = map[string]func(a, b *altalunev1.Currency) int{
	"code":            func(a, b *altalunev1.Currency) int { return cmp.Compare(a.GetCode(), b.GetCode()) },
	"name":            func(a, b *altalunev1.Currency) int { return cmp.Compare(a.GetName(), b.GetName()) },
	"decimal_places":  func(a, b *altalunev1.Currency) int { return cmp.Compare(a.GetDecimalPlaces(), b.GetDecimalPlaces()) },
	"numeric_code":    func(a, b *altalunev1.Currency) int { return cmp.Compare(a.GetNumericCode(), b.GetNumericCode()) },
	"circulation":     func(a, b *altalunev1.Currency) int { return cmp.Compare(a.GetCirculation(), b.GetCirculation()) },
	"reserve_balance": func(a, b *altalunev1.Currency) int { return cmp.Compare(a.GetReserveBalance(), b.GetReserveBalance()) },
	"display_weight":  func(a, b *altalunev1.Currency) int { return cmp.Compare(a.GetDisplayWeight(), b.GetDisplayWeight()) },
	"exchange_rate":   func(a, b *altalunev1.Currency) int { return cmp.Compare(a.GetExchangeRate(), b.GetExchangeRate()) },
	"created_at":      func(a, b *altalunev1.Currency) int { return compareTS(a.GetCreatedAt(), b.GetCreatedAt()) },
}

// What the currency list offers, sorted as the refusals list it.
var (
	currencyFilterKeys = []string{"active", "crypto", "decimal_places"}
	currencySortFields = []string{"active", "circulation", "code", "created_at", "crypto", "decimal_places", "description",
		"display_weight", "exchange_rate", "issuer_id", "minor_unit_total", "name", "numeric_code", "peg_rate",
		"reserve_balance", "symbol", "updated_at"}
)

func queryCurrencies(t *testing.T, api *API, q *altalunev1.QueryRequest) *altalunev1.QueryCurrenciesResponse {
	t.Helper()
	res, err := api.Currencies.Query(ctxFor(t), &altalunev1.QueryCurrenciesRequest{Query: q})
	requireOK(t, err, fmt.Sprintf("QueryCurrencies(%s)", protoText(q)))
	return res
}

func TestCurrencyQuery(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		// The table is global: start from an empty one.
		dbExec(t, "DELETE FROM altalune_currencies")
		type row struct {
			name        string
			places      uint32
			active      bool
			numeric     int32
			circulation uint64
			reserve     int64
			weight      uint32
			rate        float32
		}
		// Names start with distinct capitals, so that every collation orders
		// them the same way.
		var all []*altalunev1.Currency
		for _, r := range []row{
			{"Kilo Crowns", 2, true, 300, math.MaxUint64, -5, 7, 1.5},
			{"Alpha Dollars", 0, false, -20, 1 << 63, 100, 0, 0.25},
			{"Mike Marks", 8, true, 15, 5, math.MinInt64, math.MaxUint32, -3},
			{"Bravo Pesos", 2, false, 0, 0, math.MaxInt64, 12, 1000},
			{"Zulu Yen", 2, true, math.MaxInt32, 1<<63 - 1, 0, 1, 2.75},
		} {
			req := newCurrencyRequest()
			req.Name, req.DecimalPlaces, req.Active, req.NumericCode = r.name, r.places, r.active, r.numeric
			req.Circulation, req.ReserveBalance, req.DisplayWeight, req.ExchangeRate = r.circulation, r.reserve, r.weight, r.rate
			all = append(all, createCurrency(t, api, req))
			time.Sleep(5 * time.Millisecond)
		}
		byCode := func(items []*altalunev1.Currency) []string {
			sorted := append([]*altalunev1.Currency(nil), items...)
			slices.SortFunc(sorted, currencySortKeys["code"])
			return ids(sorted)
		}
		is := func(pred func(c *altalunev1.Currency) bool) []string {
			var out []string
			for _, c := range all {
				if pred(c) {
					out = append(out, c.GetId())
				}
			}
			return out
		}

		t.Run("default order is code ascending", func(t *testing.T) {
			res := queryCurrencies(t, api, nil)
			requireMeta(t, res.GetMeta(), int32(len(all)), 1)
			requireStrings(t, ids(res.GetData()), byCode(all), "currencies")
		})

		t.Run("empty sort field uses the default", func(t *testing.T) {
			res := queryCurrencies(t, api, &altalunev1.QueryRequest{Sorting: sortBy("", desc)})
			requireStrings(t, ids(res.GetData()), byCode(all), "currencies sorted by an empty field")
		})

		t.Run("unknown sort field is refused", func(t *testing.T) {
			for _, f := range []string{"no_such_field", "symbol_image", "project_id"} {
				q := &altalunev1.QueryRequest{Sorting: sortBy(f, desc)}
				_, err := api.Currencies.Query(ctxFor(t), &altalunev1.QueryCurrenciesRequest{Query: q})
				requireRefused(t, err, fmt.Sprintf("QueryCurrencies(%s)", protoText(q)), unknownSortMessage(f, currencySortFields))
			}
		})

		for field, compare := range currencySortKeys {
			for _, order := range []altalunev1.SortOrder{asc, desc} {
				t.Run("sort by "+field+" "+order.String(), func(t *testing.T) {
					res := queryCurrencies(t, api, &altalunev1.QueryRequest{Sorting: sortBy(field, order)})
					requireSameSet(t, ids(res.GetData()), ids(all), "currencies")
					if !sortedBy(res.GetData(), order, []func(a, b *altalunev1.Currency) int{compare}) {
						var vals []string
						for _, c := range res.GetData() {
							m := c.ProtoReflect()
							vals = append(vals, m.Get(m.Descriptor().Fields().ByName(protoreflect.Name(field))).String())
						}
						t.Fatalf("sorting by %s %s returned the values in the order %v", field, order, vals)
					}
				})
			}
		}

		t.Run("keyword on code and name", func(t *testing.T) {
			target := all[2]
			for _, kw := range []string{target.GetCode(), strings.ToLower(target.GetCode()), "mike", "MIKE MARKS", "o", "%", "_"} {
				res := queryCurrencies(t, api, &altalunev1.QueryRequest{Keyword: kw})
				want := is(func(c *altalunev1.Currency) bool {
					return strings.Contains(strings.ToLower(c.GetCode()+"\x00"+c.GetName()), strings.ToLower(kw))
				})
				requireSameSet(t, ids(res.GetData()), want, fmt.Sprintf("currencies matching %q", kw))
				requireMeta(t, res.GetMeta(), int32(len(want)), int32(min(len(want), 1)))
			}
		})

		t.Run("filters", func(t *testing.T) {
			for _, c := range []struct {
				name    string
				filters map[string]*altalunev1.StringList
				want    []string
			}{
				{"decimal_places", filters("decimal_places", []string{"2"}),
					is(func(c *altalunev1.Currency) bool { return c.GetDecimalPlaces() == 2 })},
				{"decimal_places OR", filters("decimal_places", []string{"0", "8"}),
					is(func(c *altalunev1.Currency) bool { return c.GetDecimalPlaces() != 2 })},
				{"active", filters("active", []string{"true"}),
					is(func(c *altalunev1.Currency) bool { return c.GetActive() })},
				{"active in upper case", filters("active", []string{"FALSE"}),
					is(func(c *altalunev1.Currency) bool { return !c.GetActive() })},
				{"AND", filters("active", []string{"true"}, "decimal_places", []string{"2"}),
					is(func(c *altalunev1.Currency) bool { return c.GetActive() && c.GetDecimalPlaces() == 2 })},
				{"decimal_places by its JSON name", filters("decimalPlaces", []string{"8"}),
					is(func(c *altalunev1.Currency) bool { return c.GetDecimalPlaces() == 8 })},
				{"number matching nothing", filters("decimal_places", []string{"5"}), nil},
				{"number that is not a number matches nothing", filters("decimal_places", []string{"two"}), nil},
				{"active as strconv spells it", filters("active", []string{"t"}),
					is(func(c *altalunev1.Currency) bool { return c.GetActive() })},
			} {
				t.Run(c.name, func(t *testing.T) {
					res := queryCurrencies(t, api, &altalunev1.QueryRequest{Filters: c.filters})
					requireSameSet(t, ids(res.GetData()), c.want, "filtered currencies")
					requireMeta(t, res.GetMeta(), int32(len(c.want)), int32(min(len(c.want), 1)))
				})
			}
		})

		t.Run("filters the list does not offer are refused", func(t *testing.T) {
			for _, c := range []struct {
				name    string
				filters map[string]*altalunev1.StringList
				want    string
			}{
				{"unknown key", filters("project_id", []string{"1"}), unknownFilterMessage("project_id", currencyFilterKeys)},
				{"unknown key without values", filters("project_id", []string{}), unknownFilterMessage("project_id", currencyFilterKeys)},
				{"field that is not filterable", filters("code", []string{all[0].GetCode()}), unknownFilterMessage("code", currencyFilterKeys)},
				{"invalid bool", filters("active", []string{"yes"}), notABoolMessage("active", "yes")},
				{"invalid bool next to a valid one", filters("crypto", []string{"false", "maybe"}), notABoolMessage("crypto", "maybe")},
			} {
				t.Run(c.name, func(t *testing.T) {
					q := &altalunev1.QueryRequest{Filters: c.filters}
					_, err := api.Currencies.Query(ctxFor(t), &altalunev1.QueryCurrenciesRequest{Query: q})
					requireRefused(t, err, fmt.Sprintf("QueryCurrencies(%s)", protoText(q)), c.want)
				})
			}
		})

		t.Run("filter catalog", func(t *testing.T) {
			got := catalog(queryCurrencies(t, api, nil).GetMeta())
			// decimal_places is filterable by option, active as a bool and
			// the BoolValue crypto as a bool too (by convention): the keys
			// the refusals offer.
			requireSameSet(t, mapsKeys(got), currencyFilterKeys, "meta.filters keys")
			requireStrings(t, got["crypto"], []string{"false", "true"}, "meta.filters[crypto] (both, though no currency sets crypto)")
			requireStrings(t, got["decimal_places"], []string{"0", "2", "8"}, "meta.filters[decimal_places]")
			requireStrings(t, got["active"], []string{"false", "true"}, "meta.filters[active]")
		})

		t.Run("pagination", func(t *testing.T) {
			codes := byCode(all)
			res := queryCurrencies(t, api, &altalunev1.QueryRequest{Pagination: page(2, 2)})
			requireMeta(t, res.GetMeta(), 5, 3)
			requireStrings(t, ids(res.GetData()), codes[2:4], "page 2 of size 2")
			res = queryCurrencies(t, api, &altalunev1.QueryRequest{Pagination: page(3, 2)})
			requireStrings(t, ids(res.GetData()), codes[4:], "page 3 of size 2")
			res = queryCurrencies(t, api, &altalunev1.QueryRequest{Pagination: page(4, 2)})
			requireMeta(t, res.GetMeta(), 5, 3)
			requireStrings(t, ids(res.GetData()), nil, "page 4 of size 2")
		})

		t.Run("create and query need no project", func(t *testing.T) {
			// Nothing in the currency API names a project; rows carry none.
			for _, col := range columnsOf(t, currenciesTable) {
				if col == "project_id" {
					t.Fatal("altalune_currencies has a project_id column")
				}
			}
			res := queryCurrencies(t, api, &altalunev1.QueryRequest{Pagination: page(1, 100)})
			requireEqual(t, len(res.GetData()), len(all), "currencies visible without a project")
		})
	})
}
