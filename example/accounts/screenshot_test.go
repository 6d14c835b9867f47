package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/ginflask/flasksession/internal/exampletest"
	"github.com/ginflask/flasksession/internal/webtest"
)

// The window the screenshots are taken in, CSS pixels.
const shotWidth, shotHeight = 1000, 640

// TestScreenshots walks headless Chromium through every page of the Gin
// app and checks that each is laid out as static/style.css says: the
// stylesheet loaded, sans-serif type, a centered column under a nav bar,
// its form and button showing, its flashes in colored boxes. Each page's
// screenshot is written to a temporary directory (the paths are logged)
// and must be a PNG with something on it.
func TestScreenshots(t *testing.T) {
	b := exampletest.NewBrowser(t)
	base := startGin(t, "basic", t.TempDir())
	sameStylesheet(t, base)
	b.Do("sizing the window", chromedp.EmulateViewport(shotWidth, shotHeight))
	shots := t.TempDir()

	b.Open(base + "/")
	checkPage(t, b, base, pageWant{name: "home", status: "Hello, anonymous"})
	screenshot(t, b, shots, "1-home")

	b.Open(base + "/login")
	if resp := b.Submit(); resp.Status != http.StatusBadRequest {
		t.Errorf("login with no name: %d, want 400", resp.Status)
	}
	checkPage(t, b, base, pageWant{name: "login, no name", form: "Log in", flashes: []string{"error: Please enter a user name."}})
	screenshot(t, b, shots, "2-login-error")

	b.Open(base + "/login?next=%2Fprivate")
	b.FillLogin("Ada", false)
	if resp := b.Submit(); resp.Status != http.StatusOK || resp.URL != base+"/private" {
		t.Fatalf("logging in: %d %s, want 200 %s/private", resp.Status, resp.URL, base)
	}
	checkPage(t, b, base, pageWant{name: "private", status: "Private page of Ada (fresh)", form: "Log out other devices", flashes: []string{"message: Logged in."}})
	screenshot(t, b, shots, "3-private")

	b.Open(base + "/settings")
	checkPage(t, b, base, pageWant{name: "settings", status: "Settings of Ada"})
	screenshot(t, b, shots, "4-settings")

	b.Open(base + "/logout")
	checkPage(t, b, base, pageWant{name: "logout", status: "Log out Ada?", form: "Log out"})
	screenshot(t, b, shots, "5-logout")
}

// TestScreenshotsFlask: flask_app.py serves the same stylesheet, and its
// login page with an error flashed looks as the Gin app's does, pixel for
// pixel.
func TestScreenshotsFlask(t *testing.T) {
	b := exampletest.NewBrowser(t)
	a := startApps(t, "basic")
	sameStylesheet(t, a.flask)
	b.Do("sizing the window", chromedp.EmulateViewport(shotWidth, shotHeight))
	shots := t.TempDir()

	var imgs []image.Image
	for _, app := range []struct{ name, base string }{{"flask", a.flask}, {"gin", a.gin}} {
		b.Open(app.base + "/login")
		if resp := b.Submit(); resp.Status != http.StatusBadRequest {
			t.Errorf("%s: login with no name: %d, want 400", app.name, resp.Status)
		}
		checkPage(t, b, app.base, pageWant{name: app.name + " login, no name", form: "Log in", flashes: []string{"error: Please enter a user name."}})
		// No focus ring or blinking caret in the comparison.
		b.Eval(`document.activeElement.blur(), ""`)
		imgs = append(imgs, screenshot(t, b, shots, app.name+"-login-error"))
	}
	if n, total := differentPixels(imgs[0], imgs[1]); n > total/1000 {
		t.Errorf("the two login pages differ in %d of %d pixels", n, total)
	}
}

// sameStylesheet checks that base serves static/style.css as it is, as CSS.
func sameStylesheet(t *testing.T, base string) {
	t.Helper()
	want, err := os.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	r := webtest.NewHTTP(t).Get(base + "/static/style.css")
	if ct := r.Header.Get("Content-Type"); r.Status != http.StatusOK || !strings.HasPrefix(ct, "text/css") || r.Body != string(want) {
		t.Errorf("%s/static/style.css: %d %q, %d bytes; want 200 text/css, static/style.css (%d bytes)", base, r.Status, ct, len(r.Body), len(want))
	}
}

// pageWant is what a page should show.
type pageWant struct {
	name    string
	status  string   // the status line; "" for none
	form    string   // the label of the form's button; "" for no form
	flashes []string // "category: message"
}

// box is an element as laid out: its place, size and colors; W and H are
// zero when it is hidden.
type box struct {
	X, Y, W, H float64
	Text       string
	Color, Bg  string
}

func (b *box) shown() bool { return b != nil && b.W > 0 && b.H > 0 }

// pageView is what the page looks like to the checks.
type pageView struct {
	Font   string
	Sheets []struct {
		Href, Error string
		Rules       int
	}
	Viewport     float64
	Body, Nav    *box
	Status       *box
	Form, Button *box
	Flashes      []box
	FlashClasses []string
}

const viewJS = `(() => {
	const box = el => {
		if (!el) return null;
		const r = el.getBoundingClientRect(), s = getComputedStyle(el);
		const shown = s.display !== "none" && s.visibility !== "hidden";
		return {X: r.x, Y: r.y, W: shown ? r.width : 0, H: shown ? r.height : 0,
			Text: (el.value || el.textContent).trim(), Color: s.color, Bg: s.backgroundColor};
	};
	const flashes = Array.from(document.querySelectorAll("ul.flashes li"));
	return {
		Font: getComputedStyle(document.body).fontFamily,
		Sheets: Array.from(document.styleSheets, s => {
			try { return {Href: s.href || "", Rules: s.cssRules.length}; }
			catch (e) { return {Href: s.href || "", Error: String(e)}; }
		}),
		Viewport: document.documentElement.clientWidth,
		Body: box(document.body),
		Nav: box(document.querySelector("nav")),
		Status: box(document.querySelector("#status")),
		Form: box(document.querySelector("form")),
		Button: box(document.querySelector('form input[type="submit"]')),
		Flashes: flashes.map(box),
		FlashClasses: flashes.map(li => li.className),
	};
})()`

// transparent is a computed background that paints nothing.
const transparent = "rgba(0, 0, 0, 0)"

// checkPage checks the open page against want and the stylesheet.
func checkPage(t *testing.T, b *exampletest.Browser, base string, want pageWant) {
	t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[pageView](viewJS))
	if err != nil {
		t.Fatalf("%s: reading the page: %v", want.name, err)
	}
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s: %s", want.name, fmt.Sprintf(format, args...))
	}

	// The stylesheet: linked, loaded, applied.
	if len(v.Sheets) != 1 || v.Sheets[0].Href != base+"/static/style.css" || v.Sheets[0].Rules < 10 {
		fail("style sheets %+v, want %s/static/style.css with its rules", v.Sheets, base)
	}
	if !strings.Contains(v.Font, "sans-serif") || strings.HasPrefix(v.Font, `"Times`) {
		fail("body font %q: the default serif, not the stylesheet's sans-serif", v.Font)
	}
	// A centered column, narrower than the window.
	if !v.Body.shown() || v.Body.W >= v.Viewport-100 || math.Abs(v.Body.X-(v.Viewport-v.Body.X-v.Body.W)) > 2 {
		fail("body at x %v, %v wide in a window %v wide: want a centered column", v.Body.X, v.Body.W, v.Viewport)
	}
	if !v.Nav.shown() || v.Nav.Bg == transparent || !strings.Contains(v.Nav.Text, "Home") {
		fail("nav %+v: want a bar with its links", v.Nav)
	}

	switch {
	case want.status == "" && v.Status != nil:
		fail("a status line %q", v.Status.Text)
	case want.status != "" && (!v.Status.shown() || v.Status.Text != want.status):
		fail("status line %+v, want %q shown", v.Status, want.status)
	}

	switch {
	case want.form == "" && v.Form != nil:
		fail("a form, want none")
	case want.form != "":
		if !v.Form.shown() || !v.Button.shown() || v.Button.Text != want.form {
			fail("form %+v, button %+v: want the form and its %q button shown", v.Form, v.Button, want.form)
		} else if v.Button.Bg == transparent || v.Button.Color != "rgb(255, 255, 255)" {
			fail("button colors %q on %q: not the stylesheet's", v.Button.Color, v.Button.Bg)
		}
	}

	var flashes []string
	var bgs map[string]string
	if len(v.Flashes) > 0 {
		bgs = flashBackgrounds(t, b)
	}
	for i, f := range v.Flashes {
		cat := v.FlashClasses[i]
		flashes = append(flashes, cat+": "+f.Text)
		if !f.shown() || f.Bg != bgs[cat] {
			fail("flash %q: %+v, want a box on %s, the color of its category", f.Text, f, bgs[cat])
		}
	}
	if !slices.Equal(flashes, want.flashes) {
		fail("flashes %q, want %q", flashes, want.flashes)
	}
}

// flashBackgrounds are the backgrounds the stylesheet gives the flashes
// of each category, read from elements made for the question and removed
// again; each category must have a color of its own.
func flashBackgrounds(t *testing.T, b *exampletest.Browser) map[string]string {
	t.Helper()
	bgs, err := chromedp.Run(b.Ctx, chromedp.Evaluate[map[string]string](`(() => {
		const ul = document.createElement("ul"), bgs = {};
		ul.className = "flashes";
		document.body.append(ul);
		for (const cat of ["message", "error"]) {
			const li = document.createElement("li");
			li.className = cat;
			li.textContent = cat;
			ul.append(li);
			bgs[cat] = getComputedStyle(li).backgroundColor;
		}
		ul.remove();
		return bgs;
	})()`))
	if err != nil {
		t.Fatalf("reading the flash colors: %v", err)
	}
	if bgs["message"] == bgs["error"] || bgs["message"] == transparent || bgs["error"] == transparent {
		t.Errorf("flashes are on %q: want a color for each category", bgs)
	}
	return bgs
}

// screenshot captures the whole page as a PNG into dir/name.png, logs the
// path, and checks the image: the window's width, and more than a few
// colors (not a blank page: text alone has many shades).
func screenshot(t *testing.T, b *exampletest.Browser, dir, name string) image.Image {
	t.Helper()
	data, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("%s: screenshot: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %s", name, path)
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: not a PNG: %v", name, err)
	}
	r := img.Bounds()
	colors := map[[4]uint32]bool{}
	for y := r.Min.Y; y < r.Max.Y && len(colors) <= 20; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			c0, c1, c2, c3 := img.At(x, y).RGBA()
			colors[[4]uint32{c0, c1, c2, c3}] = true
		}
	}
	if r.Dx() < shotWidth || r.Dy() < 200 || len(data) < 2000 || len(colors) <= 20 {
		t.Errorf("%s: a %dx%d PNG of %d bytes with %d colors; want a page drawn %d wide", name, r.Dx(), r.Dy(), len(data), len(colors), shotWidth)
	}
	return img
}

// differentPixels counts the pixels in which a and b differ; a size
// difference counts every pixel.
func differentPixels(a, b image.Image) (n, total int) {
	r := a.Bounds()
	total = r.Dx() * r.Dy()
	if r != b.Bounds() {
		return total, total
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				n++
			}
		}
	}
	return n, total
}
