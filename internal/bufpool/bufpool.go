// Package bufpool recycles byte buffers on the per-request hot path.
package bufpool

import "sync"

// Pool hands out *[]byte buffers and takes back those no larger than Max,
// so one huge session does not pin memory.
type Pool struct {
	p   sync.Pool
	Max int // largest capacity kept
}

// Get returns an empty buffer.
func (p *Pool) Get() *[]byte {
	if b, ok := p.p.Get().(*[]byte); ok {
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, 512)
	return &b
}

// Put returns b to the pool.
func (p *Pool) Put(b *[]byte) {
	if cap(*b) <= p.Max {
		p.p.Put(b)
	}
}
