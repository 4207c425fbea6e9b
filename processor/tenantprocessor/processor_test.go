package tenantprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/processor/tenantprocessor/internal/metadata"
)

type authData map[string]any

func (a authData) GetAttribute(k string) any { return a[k] }
func (a authData) GetAttributeNames() []string {
	names := make([]string, 0, len(a))
	for k := range a {
		names = append(names, k)
	}
	return names
}

func authed(orgID, orgName string) context.Context {
	return client.NewContext(context.Background(), client.Info{
		Auth: authData{agora.AuthOrgID: orgID, agora.AuthOrgName: orgName},
	})
}

// forgedTraces has two resources; one claims another org.
func forgedTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("a")
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(agora.AttrOrgID, "someone-elses-org")
	rs.Resource().Attributes().PutStr(agora.AttrOrgName, "victim")
	rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("b")
	return td
}

func TestStampsEveryResourceOverwritingSender(t *testing.T) {
	// prepare
	td := forgedTraces()
	// test
	out, err := processTraces(authed("org-1", "acme"), td)
	// verify
	require.NoError(t, err)
	for _, rs := range out.ResourceSpans().All() {
		id, _ := rs.Resource().Attributes().Get(agora.AttrOrgID)
		name, _ := rs.Resource().Attributes().Get(agora.AttrOrgName)
		assert.Equal(t, "org-1", id.Str())
		assert.Equal(t, "acme", name.Str())
	}
}

func TestLogsAndMetricsStamped(t *testing.T) {
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().Resource().Attributes().PutStr(agora.AttrOrgID, "forged")
	ld, err := processLogs(authed("org-1", "acme"), ld)
	require.NoError(t, err)
	v, _ := ld.ResourceLogs().At(0).Resource().Attributes().Get(agora.AttrOrgID)
	assert.Equal(t, "org-1", v.Str())

	md := pmetric.NewMetrics()
	md.ResourceMetrics().AppendEmpty()
	md, err = processMetrics(authed("org-2", "globex"), md)
	require.NoError(t, err)
	v, _ = md.ResourceMetrics().At(0).Resource().Attributes().Get(agora.AttrOrgID)
	assert.Equal(t, "org-2", v.Str())
}

func TestRefusesUnauthenticated(t *testing.T) {
	for name, ctx := range map[string]context.Context{
		"no client info": context.Background(),
		"empty org id":   authed("", "x"),
		"wrong type":     client.NewContext(context.Background(), client.Info{Auth: authData{agora.AuthOrgID: 42}}),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := processTraces(ctx, forgedTraces())
			require.Error(t, err)
			assert.True(t, consumererror.IsPermanent(err), "retrying cannot add an org")
		})
	}
}

// TestLifecycle replaces the generated lifecycle test (see metadata.yaml):
// through the factory, start, consume with and without auth, shut down.
func TestLifecycle(t *testing.T) {
	factory := NewFactory()
	sink := new(consumertest.TracesSink)
	p, err := factory.CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), factory.CreateDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	assert.True(t, p.Capabilities().MutatesData)

	require.NoError(t, p.ConsumeTraces(authed("org-1", "acme"), forgedTraces()))
	require.Error(t, p.ConsumeTraces(context.Background(), forgedTraces()))
	require.NoError(t, p.Shutdown(context.Background()))

	require.Len(t, sink.AllTraces(), 1, "only the authenticated request passed")
	v, _ := sink.AllTraces()[0].ResourceSpans().At(1).Resource().Attributes().Get(agora.AttrOrgID)
	assert.Equal(t, "org-1", v.Str())

	for _, create := range []func() error{
		func() error {
			_, err := factory.CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), factory.CreateDefaultConfig(), consumertest.NewNop())
			return err
		},
		func() error {
			_, err := factory.CreateMetrics(context.Background(), processortest.NewNopSettings(metadata.Type), factory.CreateDefaultConfig(), consumertest.NewNop())
			return err
		},
	} {
		require.NoError(t, create())
	}
}
