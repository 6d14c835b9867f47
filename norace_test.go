//go:build !race

package flasksession

const raceEnabled = false
