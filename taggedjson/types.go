package taggedjson

// Tuple is a Python tuple. It travels as Flask's " t" tag, so a tuple
// written by Flask comes back as a Tuple and a Tuple written here loads
// in Flask as a tuple, not a list.
type Tuple []any
