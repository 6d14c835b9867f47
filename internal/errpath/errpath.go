// Package errpath builds where in a session a value sits ("cart[1].sku")
// as an error about it travels out of the containers around it, so the
// path is built only when something fails.
package errpath

import "strconv"

// Key puts a map key in front of the path *p.
func Key(p *string, key string) { prefix(p, key) }

// Index puts a list index in front of the path *p.
func Index(p *string, i int) { prefix(p, "["+strconv.Itoa(i)+"]") }

func prefix(p *string, seg string) {
	switch {
	case *p == "":
		*p = seg
	case (*p)[0] == '[':
		*p = seg + *p
	default:
		*p = seg + "." + *p
	}
}
