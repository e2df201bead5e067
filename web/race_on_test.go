//go:build race

package web_test

// raceEnabled: under the race detector bcrypt and every request are several
// times slower and memory is shadowed, so the heaviest security tests scale
// their work down (they say so in their logs).
const raceEnabled = true
