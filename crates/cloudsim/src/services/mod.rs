//! One module per Huawei service; [`dispatch`] sends an authenticated request to its handler.

mod bss;
mod bss_resources;
mod ecs;
mod ecs_view;
mod hcss;
mod iam;
mod rms;

use crate::http::errors::{ApiError, ApiResult};
use crate::http::pipeline::Ctx;
use crate::http::{Op, Reply};
use crate::state::State;

pub fn dispatch(op: Op, ctx: &Ctx<'_>, st: &mut State) -> ApiResult<Reply> {
    // Failed calls too: some change state before they fail (a batch with a wrong-state
    // server still submits a job), and a needless snapshot costs little.
    if op.changes_state() {
        st.touch();
    }
    match op {
        Op::KeystoneCreateUserTokenByPassword => iam::create_token(ctx, st),
        Op::KeystoneListProjects => iam::list_projects(ctx),
        Op::KeystoneListAuthDomains => iam::list_auth_domains(ctx),
        Op::PurchaseLightInstances => hcss::purchase(ctx, st),
        Op::ListAllResources => rms::list_all_resources(ctx, st),
        Op::ShowServer => ecs::show_server(ctx, st),
        Op::UpdateServer => ecs::update_server(ctx, st),
        Op::ListServersDetails => ecs::list_servers(ctx, st),
        // The action handler reports what is wrong with a body that named no single action.
        Op::ServersAction
        | Op::BatchStartServers
        | Op::BatchStopServers
        | Op::BatchRebootServers => ecs::action(ctx, st),
        Op::BatchResetServersPassword => ecs::reset_passwords(ctx, st),
        Op::ShowJob => ecs::show_job(ctx, st),
        Op::ShowCustomerOrderDetails => bss::order_details(ctx, st),
        Op::ListCustomerOrders => bss::list_orders(ctx, st),
        Op::RenewalResources => bss::renew(ctx, st),
        Op::CancelResourcesSubscription => bss::unsubscribe(ctx, st),
        Op::ListFreeResourceUsages => bss::free_resource_usages(ctx, st),
        Op::ListPayPerUseCustomerResources => bss_resources::pay_per_use_resources(ctx, st),
        Op::Unknown => Err(ApiError::no_api()),
    }
}
