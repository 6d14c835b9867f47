package csrf

import (
	"bytes"
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/internal/sessionkeys"
	"github.com/ginflask/flasksession/itsdangerous"
)

// protector is a resolved Config, made once by Protect.
type protector struct {
	key      []byte                               // Config.SecretKey; nil: the session middleware's
	separate bool                                 // Config.SeparateSecretKey: key may differ from the session's
	ser      *itsdangerous.URLSafeTimedSerializer // key's, with Config.SecretKeyFallbacks; nil without key
	// sers are the serializers of the session middlewares' keys, when
	// key is nil: made on a middleware's first request, not on every one.
	sers sessionkeys.Cache[*itsdangerous.URLSafeTimedSerializer]

	field        string
	methods      []string
	headers      []string
	timeLimit    time.Duration // <= 0: none
	sslStrict    bool
	isSecure     func(*http.Request) bool
	trusted      []origin
	crossOrigin  *http.CrossOriginProtection // nil: check off
	checkDefault bool
	exemptRoutes []string
	exemptGroups []string
	onError      func(*gin.Context, error)
	now          func() time.Time
}

// Protect returns the middleware that refuses unsafe requests without a
// valid token, Flask-WTF's CSRFProtect(app). Install it after the session
// middleware, where the forms are rendered as well as where they are
// posted; with Config.SecretKey empty it signs with the session
// middleware's key:
//
//	r := gin.New(flasksession.Plugin(sessionCfg))
//	r.Use(csrf.Protect(csrf.Config{}))
//
// For each request whose method is in Methods, on a matched route not
// exempt, it runs in order: the cross-origin check (unless
// DisableCrossOriginCheck), the token check (Validate on the token from the
// form field FieldName, else a form field ending in FieldName, else the
// Headers), and on HTTPS the Referer check (unless DisableSSLStrict). The
// first failure aborts the request through ErrorHandler. It panics if cfg
// is invalid (see Config.Validate), and at the first request with
// ErrNoSession without the session middleware before it, or with
// ErrKeyMismatch when Config.SecretKey is not that middleware's key.
func Protect(cfg Config) gin.HandlerFunc {
	p, err := newProtector(cfg)
	if err != nil {
		panic(err)
	}
	return p.handle
}

func newProtector(cfg Config) (*protector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := DefaultConfig()
	p := &protector{
		separate:     cfg.SeparateSecretKey,
		field:        cmp.Or(cfg.FieldName, d.FieldName),
		methods:      upper(orDefault(cfg.Methods, d.Methods)),
		headers:      slices.Clone(orDefault(cfg.Headers, d.Headers)),
		timeLimit:    cfg.TimeLimit,
		sslStrict:    !cfg.DisableSSLStrict,
		isSecure:     cfg.IsSecure,
		checkDefault: !cfg.DisableDefaultCheck,
		exemptRoutes: slices.Clone(cfg.ExemptRoutes),
		onError:      cfg.ErrorHandler,
		now:          cfg.Clock,
	}
	if len(cfg.SecretKey) > 0 {
		p.key = slices.Clone(cfg.SecretKey)
		ser, err := newSerializer(append(slices.Clone(cfg.SecretKeyFallbacks), cfg.SecretKey))
		if err != nil {
			return nil, err
		}
		p.ser = ser
	}
	if p.timeLimit == 0 {
		p.timeLimit = DefaultTimeLimit
	}
	if p.isSecure == nil {
		p.isSecure = func(r *http.Request) bool { return r.TLS != nil }
	}
	if p.now == nil {
		p.now = time.Now
	}
	for _, g := range cfg.ExemptGroups {
		p.exemptGroups = append(p.exemptGroups, strings.TrimSuffix(g, "/"))
	}
	if !cfg.DisableCrossOriginCheck {
		p.crossOrigin = http.NewCrossOriginProtection()
	}
	for _, o := range cfg.TrustedOrigins {
		if p.crossOrigin != nil {
			p.crossOrigin.AddTrustedOrigin(o) // checked by Validate
		}
		if u, err := url.Parse(o); err == nil {
			p.trusted = append(p.trusted, parseOrigin(u))
		}
	}
	return p, nil
}

// orDefault is cmp.Or for slices: nil means the default.
func orDefault(s, def []string) []string {
	if s == nil {
		return def
	}
	return s
}

func upper(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = strings.ToUpper(s)
	}
	return out
}

func (p *protector) handle(c *gin.Context) {
	st := &request{p: p, ser: p.serializer(c)}
	c.Set(ctxKey{}, st)
	if !p.checkDefault || !p.applies(c) {
		return
	}
	if err := p.check(c, st.ser); err != nil {
		p.refuse(c, err)
	}
}

// serializer returns the request's signer: Config.SecretKey's once it is
// checked against the session middleware's key, else the one made for the
// session middleware's keys. It panics with ErrNoSession or ErrKeyMismatch:
// both are wiring mistakes that fail every request alike, and the first
// request is the earliest a middleware can see its neighbours.
func (p *protector) serializer(c *gin.Context) *itsdangerous.URLSafeTimedSerializer {
	key, fallbacks, ok := sessionkeys.Of(c)
	if !ok {
		panic(ErrNoSession)
	}
	if p.ser != nil {
		if !p.separate && !bytes.Equal(p.key, key) {
			panic(ErrKeyMismatch)
		}
		return p.ser
	}
	return p.sers.Get(key, fallbacks, func() *itsdangerous.URLSafeTimedSerializer {
		ser, err := newSerializer(append(slices.Clone(fallbacks), key))
		if err != nil {
			panic(err) // cannot happen: the session middleware refuses empty keys
		}
		return ser
	})
}

// applies is CSRFProtect's before_request filter: a checked method on a
// matched route (Flask: request.endpoint) that is not exempt.
func (p *protector) applies(c *gin.Context) bool {
	if !slices.Contains(p.methods, c.Request.Method) {
		return false
	}
	route := c.FullPath()
	if route == "" || slices.Contains(p.exemptRoutes, route) {
		return false
	}
	for _, g := range p.exemptGroups {
		if g == "" || route == g || strings.HasPrefix(route, g+"/") {
			return false
		}
	}
	return true
}

// Check runs Protect's checks on the request now, whatever the route:
// Flask-WTF's csrf.protect(), for handlers behind Protect with
// DisableDefaultCheck. Methods not in Config.Methods pass. The error is
// one of the package's sentinels (errors.Is), nil if the request passes;
// Check does not answer the request. It panics with ErrNotProtected if
// Protect did not run for c.
func Check(c *gin.Context) error {
	st := state(c)
	if !slices.Contains(st.p.methods, c.Request.Method) {
		return nil
	}
	return st.p.check(c, st.ser)
}

func (p *protector) check(c *gin.Context, ser *itsdangerous.URLSafeTimedSerializer) error {
	if p.crossOrigin != nil {
		if err := p.crossOrigin.Check(c.Request); err != nil {
			return &causeError{ErrCrossOrigin, err}
		}
	}
	if err := p.validate(c, ser, p.requestToken(c)); err != nil {
		return err
	}
	if p.sslStrict && p.isSecure(c.Request) {
		return p.checkReferrer(c.Request)
	}
	return nil
}

// requestToken is CSRFProtect._get_csrf_token: the form field, else the
// first non-empty form field whose name ends with the field name (a
// prefixed form; Go does not keep form order, so in name order), else the
// first non-empty header.
func (p *protector) requestToken(c *gin.Context) string {
	if t := c.PostForm(p.field); t != "" {
		return t
	}
	if form := c.Request.PostForm; len(form) > 0 {
		var names []string
		for name := range form {
			if strings.HasSuffix(name, p.field) {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		for _, name := range names {
			if t := form.Get(name); t != "" {
				return t
			}
		}
	}
	for _, h := range p.headers {
		if t := c.GetHeader(h); t != "" {
			return t
		}
	}
	return ""
}

// checkReferrer is Flask-WTF's strict HTTPS check: the Referer must be
// same_origin with https://HOST/, or with a trusted origin.
func (p *protector) checkReferrer(r *http.Request) error {
	ref := r.Referer()
	if ref == "" {
		return ErrReferrerMissing
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ErrReferrerMismatch
	}
	got := parseOrigin(u)
	if got == parseOrigin(&url.URL{Scheme: "https", Host: r.Host}) {
		return nil
	}
	if slices.Contains(p.trusted, got) {
		return nil
	}
	return ErrReferrerMismatch
}

// origin is what Flask-WTF's same_origin compares, as Python's urlparse
// gives it: scheme, lower-case hostname, and the port only if written
// (https://h/ and https://h:443/ differ).
type origin struct {
	scheme, host string
	port         int // -1: none written
}

func parseOrigin(u *url.URL) origin {
	o := origin{scheme: strings.ToLower(u.Scheme), host: strings.ToLower(u.Hostname()), port: -1}
	if ps := u.Port(); ps != "" {
		if n, err := strconv.Atoi(ps); err == nil {
			o.port = n
		}
	}
	return o
}

func (p *protector) refuse(c *gin.Context, err error) {
	c.Error(err)
	if p.onError != nil {
		p.onError(c, err)
	} else {
		c.String(Status(err), Reason(err))
	}
	c.Abort()
}
