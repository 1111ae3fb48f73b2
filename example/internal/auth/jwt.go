package auth

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

const (
	// signingAlgorithm is the only JWS algorithm accepted for access tokens.
	signingAlgorithm = "RS256"

	// clockLeeway is the clock skew tolerated when checking the exp, nbf and
	// iat claims.
	clockLeeway = 30 * time.Second
)

// ErrInvalidToken is wrapped by every error returned by
// [JWTValidator.Validate]. The wrapped chain also contains the underlying
// jwt error (for example jwt.ErrTokenExpired), so callers can tell reasons
// apart with errors.Is.
var ErrInvalidToken = errors.New("auth: invalid token")

// Claims are the claims carried by an Altalune access token.
//
// The registered "sub" claim holds the user ID; "exp" is mandatory.
type Claims struct {
	jwt.RegisteredClaims

	// Email is the user's e-mail address.
	Email string `json:"email,omitempty"`
	// Name is the user's display name.
	Name string `json:"name,omitempty"`
	// Perms lists the permissions granted to the user
	// ("<resource>:<action>", or RootPermission).
	Perms []string `json:"perms,omitempty"`
	// Memberships maps project public IDs to the user's role in each
	// project.
	Memberships map[string]string `json:"memberships,omitempty"`
	// EmailVerified reports whether the user's e-mail address is verified.
	EmailVerified bool `json:"email_verified"`
}

// ValidatorOptions configures the claim checks of a [JWTValidator].
type ValidatorOptions struct {
	// Issuer, when non-empty, must equal the token's "iss" claim.
	Issuer string
	// Audience, when non-empty, must be one of the token's "aud" values.
	Audience string
}

// JWTValidator validates RS256-signed access tokens against a fixed JSON Web
// Key Set. It never fetches anything from the network. A JWTValidator is safe
// for concurrent use.
type JWTValidator struct {
	parser  *jwt.Parser
	keyfunc jwt.Keyfunc
	// kids holds the key IDs of the JWKS keys usable for RS256 signature
	// verification.
	kids map[string]struct{}
}

// NewJWTValidator returns a validator for tokens signed by the keys of the
// given JWKS JSON document. Only RSA keys that have a key ID ("kid"), whose
// "use" is absent or "sig", whose "alg" is absent or "RS256" and whose
// "key_ops" (if any) allow "verify" are used; other keys are ignored. It
// returns an error if the document cannot be parsed, holds no such key, or
// holds several keys with the same key ID as a usable key.
func NewJWTValidator(jwks []byte, opts ValidatorOptions) (*JWTValidator, error) {
	kf, err := keyfunc.NewJWKSetJSON(jwks)
	if err != nil {
		return nil, fmt.Errorf("auth: parse JWKS: %w", err)
	}
	keys, err := kf.Storage().KeyReadAll(context.Background())
	if err != nil {
		return nil, fmt.Errorf("auth: read JWKS keys: %w", err)
	}

	kids := make(map[string]struct{})
	count := make(map[string]int)
	for _, k := range keys {
		kid := k.Marshal().KID
		count[kid]++
		if usableRSAKey(k) {
			kids[kid] = struct{}{}
		}
	}
	if len(kids) == 0 {
		return nil, errors.New("auth: JWKS holds no usable RSA signing key")
	}
	for kid := range kids {
		if count[kid] > 1 {
			return nil, fmt.Errorf("auth: JWKS holds several keys with key ID %q", kid)
		}
	}

	parserOpts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{signingAlgorithm}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(clockLeeway),
	}
	if opts.Issuer != "" {
		parserOpts = append(parserOpts, jwt.WithIssuer(opts.Issuer))
	}
	if opts.Audience != "" {
		parserOpts = append(parserOpts, jwt.WithAudience(opts.Audience))
	}

	return &JWTValidator{
		parser:  jwt.NewParser(parserOpts...),
		keyfunc: kf.Keyfunc,
		kids:    kids,
	}, nil
}

// NewJWTValidatorFromFile is like [NewJWTValidator] but reads the JWKS JSON
// document from the file at path.
func NewJWTValidatorFromFile(path string, opts ValidatorOptions) (*JWTValidator, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: read JWKS file: %w", err)
	}
	v, err := NewJWTValidator(data, opts)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return v, nil
}

// usableRSAKey reports whether k is an RSA key that may verify RS256
// signatures and can be selected by key ID.
func usableRSAKey(k jwkset.JWK) bool {
	m := k.Marshal()
	if m.KID == "" || m.KTY != jwkset.KtyRSA {
		return false
	}
	switch k.Key().(type) {
	case *rsa.PublicKey, *rsa.PrivateKey:
	default:
		return false
	}
	if m.USE != "" && m.USE != jwkset.UseSig {
		return false
	}
	if m.ALG != "" && m.ALG != jwkset.AlgRS256 {
		return false
	}
	if len(m.KEYOPS) > 0 && !slices.Contains(m.KEYOPS, jwkset.KeyOpsVerify) {
		return false
	}
	return true
}

// verificationKey is the jwt.Keyfunc of the validator: it selects the key
// named by the token's "kid" header, which is required.
func (v *JWTValidator) verificationKey(token *jwt.Token) (any, error) {
	kid, _ := token.Header["kid"].(string)
	if kid == "" {
		return nil, errors.New("missing key ID")
	}
	if _, ok := v.kids[kid]; !ok {
		return nil, errors.New("unknown key ID")
	}
	return v.keyfunc(token)
}

// Validate verifies token and returns the authenticated caller it describes.
//
// The token must be a JWS signed with RS256 (every other algorithm,
// including "none" and HMAC ones, is refused) by the JWKS key named in its
// "kid" header. Its "exp" claim is required and checked; "nbf" and "iat" are
// checked when present, all with a leeway of 30 seconds; "sub" must be
// non-empty; "iss" and "aud" must match the configured ValidatorOptions.
//
// On success the returned AuthContext has IsAuthenticated set and carries
// every claim. On failure the error wraps ErrInvalidToken.
func (v *JWTValidator) Validate(token string) (*AuthContext, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: empty token", ErrInvalidToken)
	}
	claims := &Claims{}
	if _, err := v.parser.ParseWithClaims(token, claims, v.verificationKey); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if claims.Subject == "" {
		return nil, fmt.Errorf("%w: missing subject", ErrInvalidToken)
	}
	return &AuthContext{
		UserID:          claims.Subject,
		Email:           claims.Email,
		Name:            claims.Name,
		Permissions:     claims.Perms,
		Memberships:     claims.Memberships,
		EmailVerified:   claims.EmailVerified,
		IsAuthenticated: true,
	}, nil
}
