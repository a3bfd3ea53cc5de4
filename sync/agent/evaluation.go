package agent

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/urna-kiosk/urna/sync/wire"
)

const settingEvaluations = "evaluations"

// EvaluationBatch is how many unsent answers of the day the kiosk holds
// before it sends them: a batch names no single resident, so its arrival
// cannot be set beside a ballot's. A day's last answers go once it is over.
const EvaluationBatch = 10

// evalDay is one day's answers at this kiosk: counted, and sent.
type evalDay struct {
	Counts [5]int `json:"counts"`
	Sent   [5]int `json:"sent"`
}

func (a *Agent) evaluations() map[string]evalDay {
	days := map[string]evalDay{}
	if raw, err := a.cfg.Queue.Setting(settingEvaluations); err == nil && raw != "" {
		json.Unmarshal([]byte(raw), &days)
	}
	return days
}

func (a *Agent) keepEvaluations(days map[string]evalDay) error {
	raw, err := json.Marshal(days)
	if err != nil {
		return err
	}
	return a.cfg.Queue.SetSetting(settingEvaluations, string(raw))
}

// today is the kiosk's local day.
func (a *Agent) today() string { return a.cfg.Clock().Local().Format(time.DateOnly) }

// CountEvaluation counts one answer (1–5) to "how easy was it to vote?"
// for today: the kiosk keeps counts per day, never the answer's time or
// anything of the ballot before it.
func (a *Agent) CountEvaluation(score int) error {
	if score < 1 || score > 5 {
		return nil
	}
	a.evalMu.Lock()
	defer a.evalMu.Unlock()
	days := a.evaluations()
	d := days[a.today()]
	d.Counts[score-1]++
	days[a.today()] = d
	return a.keepEvaluations(days)
}

// SendEvaluations sends the answers not sent yet: a past day's all, and
// today's once EvaluationBatch of them wait. It reports how many were sent.
// A central that does not take them (404: switched off) keeps them waiting.
func (a *Agent) SendEvaluations(ctx context.Context) (int, error) {
	a.evalMu.Lock()
	defer a.evalMu.Unlock()
	days := a.evaluations()
	today := a.today()
	keys := make([]string, 0, len(days))
	for day := range days {
		keys = append(keys, day)
	}
	slices.Sort(keys)
	sent := 0
	for _, day := range keys {
		d := days[day]
		var b wire.EvaluationBatch
		n := 0
		for i := range d.Counts {
			b.Counts[i] = d.Counts[i] - d.Sent[i]
			n += b.Counts[i]
		}
		if n == 0 || day == today && n < EvaluationBatch {
			if n == 0 && day != today {
				delete(days, day) // all sent: the day is forgotten
			}
			continue
		}
		b.Day = day
		body, _ := json.Marshal(b)
		var ok struct{}
		code, err := a.civic(ctx, http.MethodPost, wire.PathEvaluations, body, &ok)
		if code == http.StatusNotFound {
			return sent, nil
		}
		if err != nil {
			return sent, err
		}
		d.Sent = d.Counts
		days[day] = d
		sent += n
		if err := a.keepEvaluations(days); err != nil {
			return sent, err
		}
	}
	return sent, a.keepEvaluations(days)
}
