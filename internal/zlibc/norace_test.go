//go:build !race

package zlibc

const raceEnabled = false
