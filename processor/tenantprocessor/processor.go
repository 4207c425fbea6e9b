package tenantprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/tenantprocessor"

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// errUnauthenticated means the receiver in front has no apikeyauth
// authenticator (or the processor is not first after it): data whose org is
// unknown is never stored.
var errUnauthenticated = consumererror.NewPermanent(errors.New(
	"tenant: no API-key auth info on the request; configure `auth: authenticator: apikeyauth` on the receiver and put the tenant processor first"))

type org struct{ agora.Caller }

func orgFrom(ctx context.Context) (org, error) {
	c, ok := agora.CallerFrom(ctx)
	if !ok {
		return org{}, errUnauthenticated
	}
	return org{c}, nil
}

// stamp overwrites whatever the sender put in these attributes.
func (o org) stamp(res pcommon.Resource) {
	res.Attributes().PutStr(agora.AttrOrgID, o.OrgID)
	res.Attributes().PutStr(agora.AttrOrgName, o.OrgName)
}

func processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	o, err := orgFrom(ctx)
	if err != nil {
		return td, err
	}
	for _, rs := range td.ResourceSpans().All() {
		o.stamp(rs.Resource())
	}
	return td, nil
}

func processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	o, err := orgFrom(ctx)
	if err != nil {
		return ld, err
	}
	for _, rl := range ld.ResourceLogs().All() {
		o.stamp(rl.Resource())
	}
	return ld, nil
}

func processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	o, err := orgFrom(ctx)
	if err != nil {
		return md, err
	}
	for _, rm := range md.ResourceMetrics().All() {
		o.stamp(rm.Resource())
	}
	return md, nil
}
