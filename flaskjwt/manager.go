package flaskjwt

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"sync"
	"time"
)

// Manager holds the settings and makes and checks tokens: Flask-JWT-Extended's
// JWTManager. One Manager serves any number of routes and goroutines.
type Manager struct {
	cfg         Config // with defaults filled in
	csrfProtect bool

	signHeader string            // the encoded header of new tokens
	headerAlgs map[string]string // PyJWT's encoded header → its alg, for accepted algs
	headerJSON map[string][]byte // alg → PyJWT's header JSON
	hashes     map[string]func() hash.Hash
	macs       map[string]*sync.Pool // alg → *macState keyed with SecretKey

	randMu sync.Mutex // Config.Rand need not be safe for concurrent use
}

// macState is a keyed HMAC reused across requests: Reset is cheaper than
// keying a new one.
type macState struct {
	mac hash.Hash
	buf []byte
}

// New returns a Manager for cfg (JWTManager(app)), or the error
// cfg.Validate finds.
func New(cfg Config) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	cfg.SecretKey = append([]byte(nil), cfg.SecretKey...)
	m := &Manager{
		cfg:         cfg,
		csrfProtect: cfg.csrfProtect(),
		signHeader:  headerSegment(cfg.Algorithm),
		headerAlgs:  map[string]string{},
		headerJSON:  map[string][]byte{},
		hashes:      map[string]func() hash.Hash{"HS256": sha256.New, "HS384": sha512.New384, "HS512": sha512.New},
		macs:        map[string]*sync.Pool{},
	}
	for _, alg := range cfg.DecodeAlgorithms {
		m.headerAlgs[headerSegment(alg)] = alg
		m.headerJSON[alg] = []byte(`{"alg":"` + alg + `","typ":"JWT"}`)
		h, key := m.hashes[alg], cfg.SecretKey
		m.macs[alg] = &sync.Pool{New: func() any {
			return &macState{mac: hmac.New(h, key), buf: make([]byte, 0, 512)}
		}}
	}
	return m, nil
}

// Config returns the Manager's settings, with every default filled in.
func (m *Manager) Config() Config {
	c := m.cfg
	c.SecretKey = nil
	return c
}

func (m *Manager) now() time.Time { return m.cfg.Clock() }
