package election

import (
	"cmp"
	"slices"
)

// The Method of Equal Shares (Peters and Skowron) with approval ballots
// and cost utilities: each voter holds an equal share of the budget; a
// project is bought by its supporters, each paying at most an equal part;
// the project whose supporters pay the least per unit of benefit is bought
// first.

// equalShares runs the rule with its completion.
func (p *Profile) equalShares(order, votes []int, score []int64, r Rule) []int {
	supporters := make([][]int, len(p.Projects))
	for v, marks := range p.Votes {
		for _, m := range marks {
			supporters[m.Project] = append(supporters[m.Project], v)
		}
	}
	eligible := make([]bool, len(p.Projects))
	for i, c := range p.Projects {
		eligible[i] = r.eligible(c, votes[i], score[i])
	}
	n := int64(len(p.Votes))
	if n == 0 {
		return nil
	}
	mes := p.mesFixed(order, supporters, eligible, float64(p.Budget))
	if r.Completion == "add1" || r.Completion == "add1-comparison" {
		// Raise each voter's share by one unit while the outcome still
		// fits the real budget. Outcomes are not monotonic in the share:
		// an exhaustive one may still give way to a better one, so the
		// loop does not stop at exhaustion (Wieliczka 2023 needs this).
		budget := p.Budget
		for len(mes) < countTrue(eligible) {
			next := budget + n*max(p.Unit, 1)
			nextMES := p.mesFixed(order, supporters, eligible, float64(next))
			if p.cost(nextMES) > p.Budget {
				break
			}
			budget, mes = next, nextMES
		}
	}
	if r.Completion == "add1-comparison" {
		greedy := p.greedy(order, votes, score, r, false)
		if p.prefer(greedy, mes) > p.prefer(mes, greedy) {
			return greedy
		}
	}
	return mes
}

func (p *Profile) cost(set []int) int64 {
	var sum int64
	for _, i := range set {
		sum += p.Projects[i].Cost
	}
	return sum
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// prefer counts the voters whose benefit (the cost of the funded projects
// they support) is larger under a than under b.
func (p *Profile) prefer(a, b []int) int {
	inA, inB := map[int]bool{}, map[int]bool{}
	for _, i := range a {
		inA[i] = true
	}
	for _, i := range b {
		inB[i] = true
	}
	n := 0
	for _, marks := range p.Votes {
		var ua, ub int64
		for _, m := range marks {
			if inA[m.Project] {
				ua += p.Projects[m.Project].Cost
			}
			if inB[m.Project] {
				ub += p.Projects[m.Project].Cost
			}
		}
		if ua > ub {
			n++
		}
	}
	return n
}

// mesFixed is Equal Shares for one total budget: the equalshares.net
// reference with cost utilities, in the same floating-point arithmetic.
func (p *Profile) mesFixed(order []int, supporters [][]int, eligible []bool, total float64) []int {
	n := len(p.Votes)
	budget := make([]float64, n)
	for i := range budget {
		budget[i] = total / float64(n)
	}
	type cand struct {
		i   int
		eff float64 // the previous effective vote count
	}
	var remaining []cand
	for _, i := range order {
		if eligible[i] && len(supporters[i]) > 0 {
			remaining = append(remaining, cand{i, float64(len(supporters[i]))})
		}
	}
	var winners []int
	sup := make([]int, 0, n)
	for {
		best, bestEff := -1, 0.0
		// in order of decreasing previous effective vote count; stable, so
		// ties keep rank order
		slices.SortStableFunc(remaining, func(a, b cand) int { return cmp.Compare(b.eff, a.eff) })
		kept := remaining[:0]
		for k := 0; k < len(remaining); k++ {
			c := remaining[k]
			if c.eff < bestEff {
				kept = append(kept, remaining[k:]...)
				break
			}
			cost := float64(p.Projects[c.i].Cost)
			behind := 0.0
			for _, v := range supporters[c.i] {
				behind += budget[v]
			}
			if behind < cost {
				continue // not affordable: dropped for good
			}
			sup = append(sup[:0], supporters[c.i]...)
			slices.SortStableFunc(sup, func(a, b int) int { return cmp.Compare(budget[a], budget[b]) })
			paid, denom := 0.0, float64(len(sup))
			for _, v := range sup {
				maxPay := (cost - paid) / denom
				if maxPay > budget[v] {
					paid += budget[v]
					denom--
					continue
				}
				c.eff = cost / maxPay
				if c.eff > bestEff {
					best, bestEff = c.i, c.eff
				}
				break
			}
			kept = append(kept, c)
		}
		remaining = kept
		if best < 0 {
			return winners
		}
		winners = append(winners, best)
		remaining = slices.DeleteFunc(remaining, func(c cand) bool { return c.i == best })
		maxPay := float64(p.Projects[best].Cost) / bestEff
		for _, v := range supporters[best] {
			if budget[v] > maxPay {
				budget[v] -= maxPay
			} else {
				budget[v] = 0
			}
		}
	}
}
