package scoring

import "time"

// CallbacksCounted returns the callbacks an evaluation at asOf counts (in
// the window, one per work order number), oldest first: the records behind
// Evidence.CallbacksCounted, for pages that break that figure down.
func CallbacksCounted(r Rules, in Inputs, asOf time.Time) []Callback {
	refs := callbacksAt(in.Callbacks, asOf, r.WindowDays)
	out := make([]Callback, len(refs))
	for i, ref := range refs {
		out[i] = in.Callbacks[ref.i]
	}
	return out
}
