package apikey

import (
	"context"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// keyPrefixLen is how much of a secret CreateApiKey shows in key_prefix: the
// "ak_" prefix and four characters, enough to recognise a key by, far too
// few to guess it.
const keyPrefixLen = 7

// FillCreateApiKey completes the answer of CreateApiKey (its method option
// says fill: true) with the secret's first characters.
func (s *Service) FillCreateApiKey(_ context.Context, _ *altalunev1.CreateApiKeyRequest, res *altalunev1.CreateApiKeyResponse) error {
	res.KeyPrefix = res.GetKeyValue()[:keyPrefixLen]
	return nil
}
