package csrf

import "errors"

// NewMatcher exposes the token check without a request, for the fuzz
// target: a token against the session's stored raw token.
func NewMatcher(cfg Config) (func(token string, stored any) error, error) {
	p, err := newProtector(cfg)
	if err != nil {
		return nil, err
	}
	if p.ser == nil {
		return nil, errTestNoKey
	}
	return func(token string, stored any) error { return p.match(p.ser, token, stored) }, nil
}

// SignForTest signs a raw token as an app with cfg would, at cfg's time.
func SignForTest(cfg Config, raw string) string { return NewSigner(cfg)(raw) }

// NewSigner returns the signing of an app with cfg.
func NewSigner(cfg Config) func(raw string) string {
	p, err := newProtector(cfg)
	if err != nil {
		panic(err)
	}
	if p.ser == nil {
		panic(errTestNoKey)
	}
	return func(raw string) string { return p.sign(p.ser, raw) }
}

// errTestNoKey: the helpers sign without a request, so without the
// session middleware's key to fall back on.
var errTestNoKey = errors.New("csrf test helpers: Config.SecretKey is required")
