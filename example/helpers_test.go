package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// exampleBin is the example program, built once by TestMain.
var exampleBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "flasksession-example-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	exampleBin = filepath.Join(dir, "example")
	build := exec.Command("go", "build", "-o", exampleBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the example:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var listening = regexp.MustCompile(`^Listening on (http://\S+)$`)

// startExample runs the built example on a free loopback port with the
// given SECRET_KEY (none if empty) until the test ends, and returns its
// base URL and a function returning what it printed so far.
func startExample(t *testing.T, key string) (baseURL string, output func() string) {
	t.Helper()
	cmd := exec.Command(exampleBin, "-addr", "127.0.0.1:0")
	cmd.Env = []string{"GIN_MODE=release", "PATH=" + os.Getenv("PATH")}
	if key != "" {
		cmd.Env = append(cmd.Env, "SECRET_KEY="+key)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log safeBuffer
	urls := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			log.WriteString(line + "\n")
			if m := listening.FindStringSubmatch(line); m != nil {
				urls <- m[1]
			}
		}
		close(urls)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-done
		cmd.Wait()
		if t.Failed() {
			t.Logf("example output:\n%s", log.String())
		}
	})
	u, ok := <-urls
	if !ok {
		t.Fatalf("the example exited without listening:\n%s", log.String())
	}
	return u, log.String
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests see each response.
type browser struct {
	t      *testing.T
	client *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, client: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is one HTTP response as a test sees it.
type response struct {
	status    int
	body      string
	location  string
	setCookie []string
	header    http.Header
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return response{
		status:    resp.StatusCode,
		body:      string(body),
		location:  resp.Header.Get("Location"),
		setCookie: resp.Header.Values("Set-Cookie"),
		header:    resp.Header,
	}
}

func (b *browser) get(u string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var (
	statusRE = regexp.MustCompile(`<p id="status">([^<]*)</p>`)
	flashRE  = regexp.MustCompile(`<li class="([^"]*)">([^<]*)</li>`)
)

// loginLine is the page's login line, "Logged in as NAME" or "You are not
// logged in", with NAME as the HTML has it (escaped).
func (p response) loginLine() string {
	m := statusRE.FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return m[1]
}

// flashes lists the page's flashed messages as "category: message".
func (p response) flashes() []string {
	var out []string
	for _, m := range flashRE.FindAllStringSubmatch(p.body, -1) {
		out = append(out, m[1]+": "+m[2])
	}
	return out
}

// safeBuffer collects a process's output from its reader goroutine.
type safeBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *safeBuffer) WriteString(str string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.WriteString(str)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
