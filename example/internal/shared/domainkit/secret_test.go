package domainkit

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
)

func TestNewSecret(t *testing.T) {
	shape := regexp.MustCompile(`^ak_[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for range 100 {
		s, err := NewSecret("ak_")
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(s) {
			t.Fatalf("secret %q: want ak_ and 43 base64url characters", s)
		}
		if seen[s] {
			t.Fatalf("secret %q generated twice", s)
		}
		seen[s] = true
	}
	s, err := NewSecret("")
	if err != nil || len(s) != 43 {
		t.Errorf("no prefix: %q %v, want 43 characters", s, err)
	}
}

func TestNewSecretFailure(t *testing.T) {
	saved := secretSource
	t.Cleanup(func() { secretSource = saved })
	broken := errors.New("entropy exhausted")
	secretSource = iotest.ErrReader(broken)
	s, err := NewSecret("ak_")
	if !errors.Is(err, broken) || s != "" {
		t.Errorf("NewSecret with a failing source = %q, %v; want \"\" and the error", s, err)
	}
	secretSource = strings.NewReader("short")
	if _, err := NewSecret("ak_"); err == nil {
		t.Error("NewSecret with too little randomness succeeded")
	}
}

func TestHashSecret(t *testing.T) {
	// sha256("abc"), FIPS 180-2 test vector.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := HashSecret("abc"); got != want {
		t.Errorf("HashSecret(abc) = %s, want %s", got, want)
	}
	if HashSecret("ak_x") == HashSecret("ak_y") {
		t.Error("two secrets hash alike")
	}
}
