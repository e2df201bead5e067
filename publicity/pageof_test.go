package publicity

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPageOfIsTheSortedGroups: pageOf pages the groups as if each were
// sorted by the order's ranks and they were laid end to end, whichever way
// it puts a group in sequence (sorting a small one, a bit set over the
// ranks for a large one), for every offset and page size tried.
func TestPageOfIsTheSortedGroups(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 14))
	for _, n := range []int{1, 7, 64, 65, 200, 3000, 20000} {
		// A catalog of n positions, some dead (not in the order).
		var order sortOrder
		order.rank = make([]int32, n)
		for p := range n {
			order.rank[p] = -1
			if rng.IntN(10) > 0 {
				order.pos = append(order.pos, int32(p))
			}
		}
		rng.Shuffle(len(order.pos), func(i, j int) { order.pos[i], order.pos[j] = order.pos[j], order.pos[i] })
		for r, p := range order.pos {
			order.rank[p] = int32(r)
		}
		for trial := range 40 {
			// Disjoint groups of live positions, sizes from none to most.
			live := slices.Clone(order.pos)
			rng.Shuffle(len(live), func(i, j int) { live[i], live[j] = live[j], live[i] })
			groups := make([][]int32, numTiers)
			size := rng.IntN(len(live) + 1)
			if trial%2 == 1 {
				size = rng.IntN(min(len(live), 60) + 1) // small groups: sorted, not through bits
			}
			for _, p := range live[:size] {
				g := rng.IntN(numTiers)
				if trial%3 == 0 {
					g = 0 // one group (a sort order other than relevance)
				}
				groups[g] = append(groups[g], p)
			}
			var want []int32
			for _, g := range groups {
				sorted := slices.Clone(g)
				slices.SortFunc(sorted, func(a, b int32) int { return int(order.rank[a] - order.rank[b]) })
				want = append(want, sorted...)
			}
			for _, perPage := range []int{1, 7, 20, 100} {
				for _, offset := range []int{0, 1, perPage, 3 * perPage, len(want) / 2, len(want) - 1, len(want), len(want) + perPage} {
					if offset < 0 {
						continue
					}
					in := make([][]int32, len(groups))
					for i, g := range groups {
						in[i] = slices.Clone(g)
					}
					page, total := pageOf(order, in, offset, perPage)
					if total != len(want) {
						t.Fatalf("n %d trial %d: total %d, want %d", n, trial, total, len(want))
					}
					wantPage := want[min(offset, len(want)):min(offset+perPage, len(want))]
					if !slices.Equal(page, wantPage) && (len(page) > 0 || len(wantPage) > 0) {
						t.Fatalf("n %d trial %d, offset %d, %d per page: %v, want %v", n, trial, offset, perPage, page, wantPage)
					}
				}
			}
		}
	}
}
