// Command altalune-token creates RSA key pairs and signed access tokens for
// local development and demos only. Real access tokens are issued by the
// identity provider; this tool must never be used to mint tokens for a
// deployed environment.
//
// Usage:
//
//	altalune-token keygen -private <pem path> -jwks <json path> [-kid <kid>]
//	altalune-token sign -private <pem path> [-kid <kid>] -sub <user id> [options]
//
// keygen writes a new 2048-bit RSA private key (PKCS #8 PEM, mode 0600) and a
// JSON Web Key Set holding its public key, which the server is configured to
// trust. An existing file is overwritten. sign prints on standard output an
// RS256 token signed with the private key, for example:
//
//	altalune-token keygen -private dev/jwt.pem -jwks dev/jwks.json
//	altalune-token sign -private dev/jwt.pem -sub u_123 -email ada@example.com \
//		-perms employee:read,employee:write -member p_abc=owner -ttl 8h
//
// A negative -ttl makes an already expired token. The command exits with
// status 2 on bad usage and 1 on any other error, printing a one-line message
// on standard error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hrz8/altalune/internal/auth"
	"github.com/hrz8/altalune/internal/auth/authdev"
)

const (
	progName   = "altalune-token"
	defaultKID = "local"
	defaultTTL = time.Hour

	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

const usageText = `altalune-token creates keys and access tokens for LOCAL DEVELOPMENT ONLY.

Usage:
  altalune-token keygen -private <pem path> -jwks <json path> [-kid <kid>]
  altalune-token sign -private <pem path> [-kid <kid>] -sub <user id> [options]
  altalune-token help [command]

Commands:
  keygen  write a new RSA private key (PEM) and a JWKS with its public key
  sign    print a signed RS256 access token on standard output

Run 'altalune-token help <command>' for the options of a command.
`

// usageError reports bad command-line usage; it makes the command exit with
// status exitUsage.
type usageError struct{ msg string }

// Error implements error.
func (e *usageError) Error() string { return e.msg }

// usageErrorf returns a *usageError with a formatted message.
func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args (without the program name) and returns
// the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}

	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "keygen":
		err = keygen(rest, stdout, stderr)
	case "sign":
		err = sign(rest, stdout)
	case "help", "-h", "-help", "--help":
		err = help(rest, stdout)
	default:
		err = usageErrorf("unknown command %q", cmd)
	}

	var uerr *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &uerr):
		hint := progName + " help"
		if args[0] == "keygen" || args[0] == "sign" {
			hint += " " + args[0]
		}
		fmt.Fprintf(stderr, "%s: %v (run '%s' for usage)\n", progName, err, hint)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "%s: %v\n", progName, err)
		return exitFailure
	}
}

// help prints the general usage, or that of the command named in args.
func help(args []string, stdout io.Writer) error {
	switch {
	case len(args) == 0:
		fmt.Fprint(stdout, usageText)
		return nil
	case len(args) > 1:
		return usageErrorf("help takes at most one command")
	}
	switch args[0] {
	case "keygen":
		cmd, _ := keygenCommand()
		cmd.printUsage(stdout)
	case "sign":
		cmd, _ := signCommand()
		cmd.printUsage(stdout)
	default:
		return usageErrorf("unknown command %q", args[0])
	}
	return nil
}

// keygenOptions are the options of the keygen command.
type keygenOptions struct {
	privatePath string
	jwksPath    string
	kid         string
}

// keygenCommand returns the keygen command and the options its flags fill.
func keygenCommand() (*command, *keygenOptions) {
	o := &keygenOptions{}
	cmd := newCommand("keygen", "keygen -private <pem path> -jwks <json path> [-kid <kid>]",
		"Writes a new 2048-bit RSA private key (PKCS #8 PEM, mode 0600) and a JWKS\n"+
			"document holding its public key. Existing files are overwritten.")
	cmd.fs.StringVar(&o.privatePath, "private", "", "`path` of the private key PEM file to write (required)")
	cmd.fs.StringVar(&o.jwksPath, "jwks", "", "`path` of the JWKS JSON file to write (required)")
	cmd.fs.StringVar(&o.kid, "kid", defaultKID, "key ID of the new key")
	return cmd, o
}

// keygen runs the keygen command.
func keygen(args []string, stdout, stderr io.Writer) error {
	cmd, o := keygenCommand()
	if err := cmd.parse(args, stdout); err != nil {
		return err
	}
	switch {
	case o.privatePath == "":
		return usageErrorf("keygen: -private is required")
	case o.jwksPath == "":
		return usageErrorf("keygen: -jwks is required")
	case o.kid == "":
		return usageErrorf("keygen: -kid must not be empty")
	case filepath.Clean(o.privatePath) == filepath.Clean(o.jwksPath):
		return usageErrorf("keygen: -private and -jwks must be different files")
	}

	key, err := authdev.GenerateKey()
	if err != nil {
		return err
	}
	jwks, err := authdev.JWKS(&key.PublicKey, o.kid)
	if err != nil {
		return err
	}
	if err := authdev.WritePrivateKey(o.privatePath, key); err != nil {
		return err
	}
	if err := os.WriteFile(o.jwksPath, jwks, 0o644); err != nil {
		return fmt.Errorf("write JWKS: %w", err)
	}
	fmt.Fprintf(stderr, "wrote private key %s and JWKS %s (kid %q)\n", o.privatePath, o.jwksPath, o.kid)
	return nil
}

// signOptions are the options of the sign command.
type signOptions struct {
	privatePath   string
	kid           string
	sub           string
	email         string
	name          string
	perms         string
	members       memberFlag
	ttl           time.Duration
	iss           string
	aud           string
	emailVerified bool
}

// signCommand returns the sign command and the options its flags fill.
func signCommand() (*command, *signOptions) {
	o := &signOptions{members: memberFlag{}}
	cmd := newCommand("sign", "sign -private <pem path> [-kid <kid>] -sub <user id> [options]",
		"Prints on standard output an RS256 access token signed with the private key.\n"+
			"A negative -ttl makes an already expired token.")
	cmd.fs.StringVar(&o.privatePath, "private", "", "`path` of the private key PEM file (required)")
	cmd.fs.StringVar(&o.kid, "kid", defaultKID, "key ID put in the token header")
	cmd.fs.StringVar(&o.sub, "sub", "", "user `id` (the sub claim, required)")
	cmd.fs.StringVar(&o.email, "email", "", "e-mail `address` of the user")
	cmd.fs.StringVar(&o.name, "name", "", "display `name` of the user")
	cmd.fs.BoolVar(&o.emailVerified, "email-verified", false, "mark the e-mail address as verified")
	cmd.fs.StringVar(&o.perms, "perms", "", "comma-separated `permissions`, e.g. employee:read,employee:write")
	cmd.fs.Var(o.members, "member", "project `membership` as <project public id>=<role> (repeatable)")
	cmd.fs.DurationVar(&o.ttl, "ttl", defaultTTL, "token lifetime, e.g. 30m or 8h; negative for an expired token")
	cmd.fs.StringVar(&o.iss, "iss", "", "issuer (the iss claim)")
	cmd.fs.StringVar(&o.aud, "aud", "", "audience (the aud claim)")
	return cmd, o
}

// sign runs the sign command.
func sign(args []string, stdout io.Writer) error {
	cmd, o := signCommand()
	if err := cmd.parse(args, stdout); err != nil {
		return err
	}
	switch {
	case o.privatePath == "":
		return usageErrorf("sign: -private is required")
	case o.kid == "":
		return usageErrorf("sign: -kid must not be empty")
	case strings.TrimSpace(o.sub) == "":
		return usageErrorf("sign: -sub is required")
	}
	perms, err := parsePerms(o.perms)
	if err != nil {
		return usageErrorf("sign: %v", err)
	}

	key, err := authdev.ReadPrivateKey(o.privatePath)
	if err != nil {
		return err
	}

	now := time.Now()
	claims := auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   o.sub,
			Issuer:    o.iss,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(o.ttl)),
		},
		Email:         o.email,
		Name:          o.name,
		Perms:         perms,
		EmailVerified: o.emailVerified,
	}
	if o.aud != "" {
		claims.Audience = jwt.ClaimStrings{o.aud}
	}
	if len(o.members) > 0 {
		claims.Memberships = o.members
	}

	token, err := authdev.Sign(key, o.kid, claims)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, token)
	return err
}

// parsePerms splits a comma-separated permission list, ignoring empty items.
func parsePerms(s string) ([]string, error) {
	var perms []string
	for p := range strings.SplitSeq(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if strings.ContainsFunc(p, isSpace) {
			return nil, fmt.Errorf("invalid permission %q", p)
		}
		perms = append(perms, p)
	}
	return perms, nil
}

// isSpace reports whether r is an ASCII whitespace character.
func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

// memberFlag is a repeatable flag.Value collecting
// "<project public id>=<role>" memberships.
type memberFlag map[string]string

// String implements flag.Value.
func (m memberFlag) String() string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	pairs := make([]string, len(ids))
	for i, id := range ids {
		pairs[i] = id + "=" + m[id]
	}
	return strings.Join(pairs, ",")
}

// Set implements flag.Value.
func (m memberFlag) Set(value string) error {
	id, role, ok := strings.Cut(value, "=")
	id, role = strings.TrimSpace(id), strings.TrimSpace(role)
	if !ok || id == "" || role == "" {
		return errors.New("want <project public id>=<role>")
	}
	if _, dup := m[id]; dup {
		return fmt.Errorf("project %q given more than once", id)
	}
	m[id] = role
	return nil
}

// command is the flag set of a command together with its usage header.
type command struct {
	fs     *flag.FlagSet
	header string
}

// newCommand returns a command whose flag set reports errors to the caller
// instead of printing them.
func newCommand(name, synopsis, description string) *command {
	fs := flag.NewFlagSet(progName+" "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &command{
		fs:     fs,
		header: fmt.Sprintf("Usage:\n  %s %s\n\n%s\n\nOptions:\n", progName, synopsis, description),
	}
}

// printUsage prints the usage of the command to w.
func (c *command) printUsage(w io.Writer) {
	fmt.Fprint(w, c.header)
	c.fs.SetOutput(w)
	c.fs.PrintDefaults()
	c.fs.SetOutput(io.Discard)
}

// parse parses args. On -h it prints the command's usage to stdout and
// returns flag.ErrHelp; other problems, including positional arguments, are
// returned as a *usageError.
func (c *command) parse(args []string, stdout io.Writer) error {
	name := strings.TrimPrefix(c.fs.Name(), progName+" ")
	err := c.fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.printUsage(stdout)
		return flag.ErrHelp
	case err != nil:
		return usageErrorf("%s: %v", name, err)
	case c.fs.NArg() > 0:
		return usageErrorf("%s: unexpected argument %q", name, c.fs.Arg(0))
	}
	return nil
}
