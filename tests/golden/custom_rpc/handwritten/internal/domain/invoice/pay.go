package invoice

import (
	"context"

	"github.com/hrz8/altalune"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// The custom RPCs of InvoiceService and a business rule, written by hand
// beside the generated domain: this is what compiles against it.

var _ BeforeCreateHook = (*Service)(nil)

// BeforeCreate refuses a negative amount.
func (s *Service) BeforeCreate(_ context.Context, input *CreateInvoiceInput) error {
	if input.AmountCents < 0 {
		return altalune.NewInvalidPayloadError("amount_cents cannot be negative")
	}
	return nil
}

// PayInvoice marks an invoice paid.
func (s *Service) PayInvoice(ctx context.Context, req *altalunev1.PayInvoiceRequest) (*altalunev1.PayInvoiceResponse, error) {
	projectID, err := s.project(ctx, req, req.GetProjectId())
	if err != nil {
		return nil, err
	}
	current, err := s.repo.GetByID(ctx, projectID, req.GetInvoiceId())
	if err != nil {
		return nil, s.fail(ctx, "pay invoice", err, req.GetInvoiceId(), "")
	}
	paid := InvoiceStatePaid
	input := &UpdateInvoiceInput{
		ProjectID:   projectID,
		PublicID:    current.PublicID,
		Number:      current.Number,
		Customer:    current.Customer,
		AmountCents: current.AmountCents,
		State:       &paid,
		PaidAt:      &current.UpdatedAt,
	}
	result, err := s.update(ctx, input)
	if err != nil {
		return nil, s.fail(ctx, "pay invoice", err, input.PublicID, input.Number)
	}
	return &altalunev1.PayInvoiceResponse{Invoice: result.ToInvoice().ToProto(), Message: "Invoice paid"}, nil
}

// InvoiceTotal sums the amounts of the first page of a project's invoices.
func (s *Service) InvoiceTotal(ctx context.Context, req *altalunev1.InvoiceTotalRequest) (*altalunev1.InvoiceTotalResponse, error) {
	projectID, err := s.project(ctx, req, req.GetProjectId())
	if err != nil {
		return nil, err
	}
	page, err := s.repo.Query(ctx, projectID, nil)
	if err != nil {
		return nil, s.fail(ctx, "sum invoices", err, "", "")
	}
	var total int64
	for _, inv := range page.Data {
		total += inv.AmountCents
	}
	return &altalunev1.InvoiceTotalResponse{TotalCents: total}, nil
}
