package taggedjson_test

import (
	"fmt"
	"time"

	"github.com/ginflask/flasksession/taggedjson"
)

func ExampleMarshal() {
	session := map[string]any{
		"user_id":  42,
		"ratio":    2.0,
		"name":     "Zoë",
		"_flashes": []any{taggedjson.Tuple{"message", "Hello"}},
		"seen":     time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC),
	}
	text, err := taggedjson.Marshal(session)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(text))
	// Output:
	// {"_flashes":[{" t":["message","Hello"]}],"name":"Zo\u00eb","ratio":2.0,"seen":{" d":"Tue, 14 Nov 2023 22:13:20 GMT"},"user_id":42}
}

func ExampleUnmarshal() {
	v, err := taggedjson.Unmarshal([]byte(`{"n":2,"f":2.0,"t":{" t":[1,"a"]},"b":{" b":"aGk="}}`))
	if err != nil {
		panic(err)
	}
	m := v.(map[string]any)
	fmt.Printf("%T %v\n", m["n"], m["n"])
	fmt.Printf("%T %v\n", m["f"], m["f"])
	fmt.Printf("%T %v\n", m["t"], m["t"])
	fmt.Printf("%T %s\n", m["b"], m["b"])
	// Output:
	// int 2
	// float64 2
	// taggedjson.Tuple [1 a]
	// []uint8 hi
}

func ExampleUnmarshalObject() {
	session, err := taggedjson.UnmarshalObject([]byte(`{"_flashes":[{" t":["error","Bad password"]}]}`))
	if err != nil {
		panic(err)
	}
	for _, f := range session["_flashes"].([]any) {
		flash := f.(taggedjson.Tuple)
		fmt.Println(flash[0], "-", flash[1])
	}
	// Output:
	// error - Bad password
}
