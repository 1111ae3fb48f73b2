package invoice

import (
	"context"

	"github.com/hrz8/altalune"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// The custom RPCs of InvoiceService, the repository method they need and a
// business rule (the BeforeCreate hook invoice.proto declares), written by
// hand beside the generated domain: this is what compiles against it.

// CustomRepositor holds the repository methods of the custom RPCs; the
// generated Repositor embeds it.
type CustomRepositor interface {
	// Total sums the amounts of a project's invoices.
	Total(ctx context.Context, projectID int64) (int64, error)
}

// Total implements CustomRepositor.
func (r *Repo) Total(ctx context.Context, projectID int64) (int64, error) {
	var total int64
	err := r.db.QueryRowContext(ctx, "SELECT COALESCE(SUM(amount_cents), 0) FROM "+invoiceTable+" WHERE project_id = $1",
		projectID).Scan(&total)
	return total, err
}

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
		return nil, s.fail(ctx, "pay invoice", err, req.GetInvoiceId())
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
		return nil, s.fail(ctx, "pay invoice", err, input.PublicID)
	}
	return &altalunev1.PayInvoiceResponse{Invoice: result.ToInvoice().ToProto(), Message: "Invoice paid"}, nil
}

// InvoiceTotal sums the amounts of a project's invoices.
func (s *Service) InvoiceTotal(ctx context.Context, req *altalunev1.InvoiceTotalRequest) (*altalunev1.InvoiceTotalResponse, error) {
	projectID, err := s.project(ctx, req, req.GetProjectId())
	if err != nil {
		return nil, err
	}
	total, err := s.repo.Total(ctx, projectID)
	if err != nil {
		return nil, s.fail(ctx, "sum invoices", err, "")
	}
	return &altalunev1.InvoiceTotalResponse{TotalCents: total}, nil
}

const invoiceTable = "altalune_invoices"
