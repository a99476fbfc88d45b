/** Why a step did not behave as shown, or undefined when it did. */
export function judge(step, seen) {
    if (seen.status !== step.expectStatus)
        return `expected status ${step.expectStatus}, got ${seen.status}`;
    const bodyProblem = step.checkBody?.(seen.body);
    if (bodyProblem)
        return bodyProblem;
    const last = seen.audit.at(-1);
    const want = step.expectAudit;
    if (!last)
        return `expected a ${want.event} audit event, got none`;
    if (last.event !== want.event)
        return `expected audit event ${want.event}, got ${last.event}`;
    if (want.initiating !== undefined && last.initiating_user?.id !== want.initiating)
        return `expected initiating user ${want.initiating}, got ${last.initiating_user?.id ?? 'none'}`;
    if (want.effective !== undefined && last.effective_user?.id !== want.effective)
        return `expected effective user ${want.effective}, got ${last.effective_user?.id ?? 'none'}`;
    if (want.reason !== undefined && last.error?.reason !== want.reason)
        return `expected audit reason ${want.reason}, got ${last.error?.reason ?? 'none'}`;
    return undefined;
}
//# sourceMappingURL=demo-steps.js.map