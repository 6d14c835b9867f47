package flasksession

import (
	"bufio"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
)

// hookWriter commits the session just before the response headers go
// out, whichever way the handler writes.
type hookWriter struct {
	gin.ResponseWriter
	r *request
}

func (w *hookWriter) WriteHeaderNow() {
	w.r.commit(false)
	w.ResponseWriter.WriteHeaderNow()
}

func (w *hookWriter) Write(b []byte) (int, error) {
	w.r.commit(false)
	return w.ResponseWriter.Write(b)
}

func (w *hookWriter) WriteString(s string) (int, error) {
	w.r.commit(false)
	return w.ResponseWriter.WriteString(s)
}

func (w *hookWriter) Flush() {
	w.r.commit(false)
	w.ResponseWriter.Flush()
}

func (w *hookWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.r.commit(false)
	return w.ResponseWriter.Hijack()
}

// Unwrap lets http.ResponseController reach the features we do not hook.
func (w *hookWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
