package flasksession

import (
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/taggedjson"
)

// FlashesKey is the session key flash messages are kept under, as in Flask.
const FlashesKey = "_flashes"

// DefaultFlashCategory is the category Flash uses when none is given.
const DefaultFlashCategory = "message"

// FlashMessage is one flashed message with its category. Message is
// usually a string, or template.HTML for Flask's Markup.
type FlashMessage struct {
	Category string `json:"category"`
	Message  any    `json:"message"`
}

// Flash stores a message for the next request that reads flashes:
// Flask's flash(message, category). The category defaults to "message".
func Flash(c *gin.Context, message any, category ...string) {
	Get(c).Flash(message, category...)
}

// Flashes returns the flashed messages and removes them from the session:
// Flask's get_flashed_messages(with_categories=True,
// category_filter=categories). See Session.Flashes.
func Flashes(c *gin.Context, categories ...string) []FlashMessage {
	return Get(c).Flashes(categories...)
}

// Flash stores a message for the next request that reads flashes. It is
// kept in the session in Flask's shape, a list of (category, message)
// tuples under "_flashes", so Flask and Go apps read each other's flashes.
func (s *Session) Flash(message any, category ...string) {
	cat := DefaultFlashCategory
	if len(category) > 0 {
		cat = category[0]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	old, _ := s.values[FlashesKey].([]any)
	// A new slice, so a caller's copy of the old one is not changed under it.
	list := make([]any, len(old), len(old)+1)
	copy(list, old)
	s.set(FlashesKey, append(list, taggedjson.Tuple{cat, message}))
}

// Flashes returns the flashed messages, oldest first, keeping only the
// given categories if any are given. As in Flask, the first call in a
// request takes every message out of the session, filtered or not, and
// later calls in the same request return the same messages; messages
// flashed meanwhile wait for the next request.
func (s *Session) Flashes(categories ...string) []FlashMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	if s.flashes == nil {
		s.flashes = new([]FlashMessage)
		if v, ok := s.values[FlashesKey]; ok {
			delete(s.values, FlashesKey)
			s.changed()
			*s.flashes = parseFlashes(v)
		}
	}
	if len(categories) == 0 {
		return slices.Clone(*s.flashes)
	}
	var out []FlashMessage
	for _, f := range *s.flashes {
		if slices.Contains(categories, f.Category) {
			out = append(out, f)
		}
	}
	return out
}

// parseFlashes reads the stored list; entries Flask would not write are
// kept as uncategorized messages rather than dropped.
func parseFlashes(v any) []FlashMessage {
	list, _ := v.([]any)
	out := make([]FlashMessage, 0, len(list))
	for _, e := range list {
		var pair []any
		switch e := e.(type) {
		case taggedjson.Tuple:
			pair = e
		case []any:
			pair = e
		}
		if cat, ok := pairCategory(pair); ok {
			out = append(out, FlashMessage{Category: cat, Message: pair[1]})
		} else {
			out = append(out, FlashMessage{Category: DefaultFlashCategory, Message: e})
		}
	}
	return out
}

func pairCategory(pair []any) (string, bool) {
	if len(pair) != 2 {
		return "", false
	}
	cat, ok := pair[0].(string)
	return cat, ok
}
