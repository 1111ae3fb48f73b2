// Package altalune holds what every layer of the Altalune backend shares:
// the Logger used by services and the AppError type that carries a stable
// five-digit error code, a gRPC status code and typed details to clients of
// both the gRPC and the Connect API.
//
// Error codes come in blocks of 100 per domain: 600XX validation, 602XX the
// example employee domain, 603XX project, 604XX currency, 605XX ticket and
// 699XX internal failures.
package altalune
