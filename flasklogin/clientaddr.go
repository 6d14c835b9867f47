package flasklogin

// identifier is the request's session identifier ("_id") with the client
// address gin gives (c.ClientIP(): X-Forwarded-For and X-Real-IP only as
// far as the engine's trusted proxies vouch for them), where Flask-Login
// trusts X-Forwarded-For as sent (SessionIdentifier). The two agree unless
// a client forges the header.
func (st *state) identifier() string {
	addr := st.c.ClientIP()
	return identifierFor(addr, addr != "", st.req)
}
