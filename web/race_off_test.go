//go:build !race

package web_test

// raceEnabled: see race_on_test.go.
const raceEnabled = false
