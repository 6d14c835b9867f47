package errpath

import "testing"

func TestPath(t *testing.T) {
	var p string
	Key(&p, "sku")
	Index(&p, 1)
	Key(&p, "cart")
	Index(&p, 0)
	if p != "[0].cart[1].sku" {
		t.Errorf("path %q, want [0].cart[1].sku", p)
	}
	var q string
	Index(&q, 2)
	Index(&q, 3)
	if q != "[3][2]" {
		t.Errorf("path %q, want [3][2]", q)
	}
}
