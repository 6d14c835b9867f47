// Package hookwriter wraps a gin.ResponseWriter so that a hook runs just
// before the response headers go out, whichever way the handler writes:
// the session middleware saves the session there, flasklogin sets the
// remember cookie.
package hookwriter

import (
	"bufio"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Hook is what runs before the first header or body byte goes out. It
// may run more than once and must do its work only the first time.
type Hook interface {
	BeforeWrite()
}

// Writer runs Hook.BeforeWrite before WriteHeaderNow, Write, WriteString,
// Flush and Hijack. H is a pointer type, so a Writer costs one pointer
// beside the wrapped writer and the call needs no interface value.
type Writer[H Hook] struct {
	gin.ResponseWriter
	Hook H
}

func (w *Writer[H]) WriteHeaderNow() {
	w.Hook.BeforeWrite()
	w.ResponseWriter.WriteHeaderNow()
}

func (w *Writer[H]) Write(b []byte) (int, error) {
	w.Hook.BeforeWrite()
	return w.ResponseWriter.Write(b)
}

func (w *Writer[H]) WriteString(s string) (int, error) {
	w.Hook.BeforeWrite()
	return w.ResponseWriter.WriteString(s)
}

func (w *Writer[H]) Flush() {
	w.Hook.BeforeWrite()
	w.ResponseWriter.Flush()
}

func (w *Writer[H]) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.Hook.BeforeWrite()
	return w.ResponseWriter.Hijack()
}

// Unwrap lets http.ResponseController reach the features not hooked.
func (w *Writer[H]) Unwrap() http.ResponseWriter { return w.ResponseWriter }
