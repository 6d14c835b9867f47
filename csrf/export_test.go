package csrf

// NewMatcher exposes the token check without a request, for the fuzz
// target: a token against the session's stored raw token.
func NewMatcher(cfg Config) (func(token string, stored any) error, error) {
	p, err := newProtector(cfg)
	if err != nil {
		return nil, err
	}
	return p.match, nil
}

// SignForTest signs a raw token as an app with cfg would, at cfg's time.
func SignForTest(cfg Config, raw string) string { return NewSigner(cfg)(raw) }

// NewSigner returns the signing of an app with cfg.
func NewSigner(cfg Config) func(raw string) string {
	p, err := newProtector(cfg)
	if err != nil {
		panic(err)
	}
	return p.sign
}
