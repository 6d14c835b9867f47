// Command loadtest puts the example app and bareapp (the same app without a
// session) under the same bounded load from wrk over loopback, and prints
// one Go benchmark line per app and endpoint:
//
//	BenchmarkLoad/Login/example 123456 24690 req/s 150 p50-us 310 p90-us 900 p99-us
//
// Both servers listen on 127.0.0.1 only, on ports the kernel picks, and are
// stopped at the end.
//
//	loadtest -example BIN -bare BIN -templates DIR [-duration 5s] [-conns 4]
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// secretKey is the example's SECRET_KEY for the run.
const secretKey = "loadtest-secret-key-0123456789abcdef"

// endpoint is one request the load repeats.
type endpoint struct {
	name    string
	method  string
	path    string
	body    string // form body for POST
	cookie  string // which session cookie to send: "", "user", "flash"
	flash   bool   // tells bareapp a flash is waiting (X-Bench-Flash)
	status  int    // expected status
	contain string // expected in the body
}

var endpoints = []endpoint{
	// No cookie: the session is read (empty) and not saved.
	{"Index", "GET", "/", "", "", false, 200, "You are not logged in"},
	// Logged in: the cookie is verified and decoded, nothing saved.
	{"IndexLoggedIn", "GET", "/", "", "user", false, 200, "Logged in as alice"},
	// A flash waiting: read, pop the flash, save the cookie.
	{"IndexFlash", "GET", "/", "", "flash", true, 200, `<li class="message">Logged in</li>`},
	// Log in: a new session with a key and a flash, saved.
	{"Login", "POST", "/login", "username=alice", "", false, 302, ""},
}

func main() {
	exampleBin := flag.String("example", "", "the example app's binary")
	bareBin := flag.String("bare", "", "bareapp's binary")
	templates := flag.String("templates", "", "the example's templates folder, for bareapp")
	duration := flag.Duration("duration", 5*time.Second, "load duration per app and endpoint")
	conns := flag.Int("conns", 4, "open connections")
	threads := flag.Int("threads", 1, "wrk threads")
	reverse := flag.Bool("reverse", false, "load the example before bareapp (alternate between rounds)")
	flag.Parse()
	if *exampleBin == "" || *bareBin == "" || *templates == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*exampleBin, *bareBin, *templates, *duration, *conns, *threads, *reverse); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type app struct {
	name string
	base string // http://127.0.0.1:PORT
	cmd  *exec.Cmd
}

func run(exampleBin, bareBin, templates string, d time.Duration, conns, threads int, reverse bool) error {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		return errors.New("wrk not found: apt-get install -y wrk")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bare, err := start(ctx, "bare", bareBin, nil, "-templates", templates)
	if err != nil {
		return err
	}
	defer bare.stop()
	example, err := start(ctx, "example", exampleBin, []string{"SECRET_KEY=" + secretKey})
	if err != nil {
		return err
	}
	defer example.stop()
	apps := []app{bare, example}
	if reverse {
		apps = []app{example, bare}
	}
	cookies, err := mintCookies(example.base)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "loadtest")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	for _, ep := range endpoints {
		script := filepath.Join(dir, ep.name+".lua")
		if err := os.WriteFile(script, []byte(luaScript(ep, cookies[ep.cookie])), 0o600); err != nil {
			return err
		}
		for _, a := range apps {
			if err := checkEndpoint(a, ep, cookies[ep.cookie]); err != nil {
				return err
			}
			// Warm up (JIT-free, but connection pools, caches, GC pacing).
			if _, err := runWrk(ctx, wrk, a.base+ep.path, script, time.Second, conns, threads); err != nil {
				return err
			}
			res, err := runWrk(ctx, wrk, a.base+ep.path, script, d, conns, threads)
			if err != nil {
				return err
			}
			// A wrong answer is a broken setup; a socket error or timeout
			// is the machine's load, and is reported with the result.
			if res.badStatus > 0 {
				return fmt.Errorf("%s %s: %d answers with a wrong status", a.name, ep.name, res.badStatus)
			}
			fmt.Printf("BenchmarkLoad/%s/%s %d %.0f req/s %d p50-us %d p90-us %d p99-us %d sockerrs\n",
				ep.name, a.name, res.requests, res.rps, res.p50, res.p90, res.p99, res.sockErrors)
		}
	}
	return nil
}

// stop ends the app and waits for it: cancelling the context alone kills
// it from a goroutine that may not run before this program exits, leaving
// the server running.
func (a app) stop() {
	if a.cmd != nil && a.cmd.Process != nil {
		_ = a.cmd.Process.Kill()
		_ = a.cmd.Wait()
	}
}

// start runs bin on 127.0.0.1 with a kernel-chosen port and waits for its
// "Listening on http://ADDR" line. Its request log goes to /dev/null.
func start(ctx context.Context, name, bin string, env []string, args ...string) (app, error) {
	cmd := exec.CommandContext(ctx, bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(append(os.Environ(), "GIN_MODE=release"), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return app{}, err
	}
	if err := cmd.Start(); err != nil {
		return app{}, err
	}
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "Listening on "); ok {
			go io.Copy(io.Discard, stderr)
			if !strings.HasPrefix(addr, "http://127.0.0.1:") {
				return app{}, fmt.Errorf("%s listens on %s, not loopback", name, addr)
			}
			return app{name: name, base: addr, cmd: cmd}, nil
		}
	}
	cmd.Wait()
	return app{}, fmt.Errorf("%s (%s) exited before listening", name, bin)
}

var client = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

// mintCookies logs in to the example for real: "flash" is the cookie
// POST /login answers (username and a waiting flash), "user" the one the
// next page answers once the flash is shown (username only).
func mintCookies(base string) (map[string]string, error) {
	resp, err := client.PostForm(base+"/login", url.Values{"username": {"alice"}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	flash := sessionCookie(resp)
	if flash == "" {
		return nil, fmt.Errorf("POST /login set no session cookie (%s)", resp.Status)
	}
	req, _ := http.NewRequest("GET", base+"/", nil)
	req.Header.Set("Cookie", flash)
	resp, err = client.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	user := sessionCookie(resp)
	if user == "" {
		return nil, fmt.Errorf("GET / with a flash set no session cookie (%s)", resp.Status)
	}
	return map[string]string{"": "", "user": user, "flash": flash}, nil
}

func sessionCookie(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == "session" && c.Value != "" {
			return "session=" + c.Value
		}
	}
	return ""
}

// checkEndpoint makes one request as wrk will and checks the answer, so
// the load measures the page and not an error.
func checkEndpoint(a app, ep endpoint, cookie string) error {
	req, _ := http.NewRequest(ep.method, a.base+ep.path, strings.NewReader(ep.body))
	if ep.body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	if ep.flash {
		req.Header.Set("X-Bench-Flash", "1")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != ep.status || !bytes.Contains(body, []byte(ep.contain)) {
		return fmt.Errorf("%s %s: got %s %q, want %d with %q", a.name, ep.name, resp.Status, body, ep.status, ep.contain)
	}
	return nil
}

func luaScript(ep endpoint, cookie string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "wrk.method = %q\n", ep.method)
	if ep.body != "" {
		fmt.Fprintf(&b, "wrk.body = %q\n", ep.body)
		b.WriteString(`wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"` + "\n")
	}
	if cookie != "" {
		fmt.Fprintf(&b, "wrk.headers[\"Cookie\"] = %q\n", cookie)
	}
	if ep.flash {
		b.WriteString(`wrk.headers["X-Bench-Flash"] = "1"` + "\n")
	}
	b.WriteString(`done = function(s, latency, requests)
  local e = s.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\n", s.requests, s.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
`)
	return b.String()
}

type result struct {
	requests      int64
	rps           float64
	p50, p90, p99 int64 // µs
	badStatus     int64 // answers other than 2xx and 3xx
	sockErrors    int64 // connect, read, write errors and timeouts
}

func runWrk(ctx context.Context, wrk, url, script string, d time.Duration, conns, threads int) (result, error) {
	out, err := exec.CommandContext(ctx, wrk,
		"-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns), "--timeout", "10s",
		"-d", fmt.Sprintf("%ds", int(d.Seconds())), "-s", script, url).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %v: %s", err, out)
	}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) != 8 || f[0] != "RESULT" {
			continue
		}
		var n [7]int64
		for i := range n {
			if n[i], err = strconv.ParseInt(f[i+1], 10, 64); err != nil {
				return result{}, fmt.Errorf("wrk: bad RESULT line %q", line)
			}
		}
		return result{
			requests: n[0], rps: float64(n[0]) / (float64(n[1]) / 1e6),
			p50: n[2], p90: n[3], p99: n[4], badStatus: n[5], sockErrors: n[6],
		}, nil
	}
	return result{}, fmt.Errorf("wrk printed no RESULT line: %s", out)
}
