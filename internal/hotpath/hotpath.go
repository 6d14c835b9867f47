// Package hotpath gives this module's packages the buffer-reusing and
// zero-copy forms of functions in its public packages, which only the
// module itself needs: exported there, they would be API users must not
// depend on. Each public package sets its functions here when it is
// initialised, so any package that imports it can call them.
package hotpath

// Set by package itsdangerous.
var (
	// AppendPayload appends the URL-safe serializer form of data to dst:
	// base64, or "." and base64 of C zlib's bytes when compress is set
	// and that saves 2 bytes (itsdangerous dump_payload).
	AppendPayload func(dst, data []byte, compress bool) []byte

	// BytesToInt reads big-endian bytes as an unsigned integer
	// (itsdangerous bytes_to_int); more than 8 bytes is an error matching
	// itsdangerous.ErrBadData.
	BytesToInt func(b []byte) (uint64, error)
)

// Set by package taggedjson.
var (
	// UnmarshalObjectString is taggedjson.UnmarshalObject for text
	// already in a string, which the result's strings then share: no
	// copy. The caller must never change the bytes behind data.
	UnmarshalObjectString func(data string) (map[string]any, error)
)
