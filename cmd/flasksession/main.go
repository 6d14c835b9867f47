// Command flasksession makes secret keys and reads and mints Flask session
// cookies.
//
//	flasksession genkey                      print a new random SECRET_KEY
//	flasksession inspect COOKIE [-key K]     show what a cookie holds
//	flasksession sign -key K '{"user":1}'    mint a cookie, for tests
//
// Run it from the module with `go run ./cmd/flasksession`, or install it
// with `go install github.com/ginflask/flasksession/cmd/flasksession@latest`.
// Keys may also come from the SECRET_KEY environment variable; set but
// empty, it is an error rather than "no key". The exit status is 0 on
// success, 1 for bad input or a cookie that fails verification, 2 for a
// usage error, and 3 when inspect showed a cookie without a key to verify
// it (inspect -json also says "verified": false).
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
