package read

import "slices"

// progress turns the steps of a read into a percentage, weighting each
// step by the time it typically takes (the photo dominates).
type progress struct {
	weights map[string]int
	total   int
	current string
	done    int
}

// Step weights.
const (
	weightSelect   = 2
	weightAccess   = 10
	weightFile     = 4
	weightProtocol = 4
	weightVerify   = 4
	weightPhoto    = 50
)

func newProgress(opts Options) progress {
	p := progress{weights: map[string]int{
		"EF.CardAccess":     weightSelect,
		string(PhaseAccess): weightAccess,
		"DG1":               weightFile,
	}}
	for _, dg := range opts.DataGroups {
		if dg != 1 && dg != 2 {
			p.weights[dataGroupName(dg)] = weightFile
		}
	}
	if slices.ContainsFunc(opts.DataGroups, func(n int) bool { return n > 2 }) {
		p.weights["EF.COM"] = weightFile
	}
	if slices.Contains(opts.DataGroups, 14) {
		p.weights[string(PhaseChipAuth)] = weightProtocol
	}
	if slices.Contains(opts.DataGroups, 15) {
		p.weights[string(PhaseActiveAuth)] = weightProtocol
	}
	if opts.Verify {
		p.weights["EF.SOD"] = weightFile
		p.weights[string(PhaseVerify)] = weightVerify
	}
	if opts.Photo || slices.Contains(opts.DataGroups, 2) {
		p.weights["DG2"] = weightPhoto
	}
	for _, w := range p.weights {
		p.total += w
	}
	return p
}

// next marks the current step done, starts step and returns the percentage
// done so far (below 100 until the read ends).
func (p *progress) next(step string) int {
	p.done += p.weights[p.current]
	p.weights[p.current] = 0 // a step counts once
	p.current = step
	return min(99, p.done*100/max(p.total, 1))
}
