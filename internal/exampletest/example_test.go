package exampletest_test

import (
	"fmt"

	"github.com/ginflask/flasksession/internal/exampletest"
)

// The status line and the flashes of a page both examples render.
func ExampleFlashes() {
	body := `<ul class="flashes">
<li class="message">Logged in</li>
</ul>
<p id="status">Logged in as Zoë &lt;b&gt;</p>`
	fmt.Println(exampletest.StatusLine(body))
	fmt.Println(exampletest.Flashes(body))
	// Output:
	// Logged in as Zoë &lt;b&gt;
	// [message: Logged in]
}
