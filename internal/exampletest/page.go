package exampletest

import "regexp"

var (
	statusRE = regexp.MustCompile(`<p id="status">([^<]*)</p>`)
	flashRE  = regexp.MustCompile(`<li class="([^"]*)">([^<]*)</li>`)
)

// StatusLine is the text of an example page's <p id="status">, as the
// HTML has it (escaped); "" if there is none.
func StatusLine(body string) string {
	m := statusRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// Flashes lists an example page's flashed messages as "category:
// message", as the HTML has them (escaped).
func Flashes(body string) []string {
	var out []string
	for _, m := range flashRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+": "+m[2])
	}
	return out
}
