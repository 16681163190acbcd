// One turn in a queue, start to end: join, wait (with progress, cancelled
// by signals), then run the command while held (signals forwarded, loss
// stops its tree) or hand the entry over (--hold), then release. Shared by
// lock and elect (which starts a new campaign after a loss).
#pragma once

#include "os/lock_wait.hpp"
#include "os/loop.hpp"
#include "protocol/hold.hpp"
#include "protocol/progress.hpp"
#include "protocol/queue.hpp"
#include "protocol/waiter.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace coordctl {

struct CampaignOptions {
    JoinRequest join;
    WaitOptions wait;
    HoldOptions hold;  // hold.child.env: extra variables only; COORDCTL_* are added
    bool hand_over = false; // lock --hold: print the wait file and leave it
    bool quiet = false;
    bool verbose = false;
    int conflict_exit_code = 75;
    bool nonblock = false; // for the message when not acquired
};

struct CampaignResult {
    int code = 0;
    int fatal_signal = 0; // cancelled while waiting: die of this signal
    bool lost = false;    // the hold was lost (elect campaigns again)
};

class Campaign {
  public:
    Campaign(os::Loop& loop, Queue& queue, const CampaignOptions& options,
             std::function<void(CampaignResult)> done);
    ~Campaign();
    void start();
    // While waiting, a signal (but SIGWINCH) cancels; while held it is
    // forwarded; while waiting to leave after --cut=preempt, it leaves at once.
    void on_signal(int sig);

  private:
    void wait_to_join();
    void join_lock_held();
    void not_acquired(const std::string& why, const std::string& path);
    void on_wait_done(WaitOutcome outcome);
    void hand_over();
    void start_hold();
    void end(CampaignResult result);
    bool evicted_gone(const CampaignResult& result);
    void leave_before_evicted(int sig);

    os::Loop& loop_;
    Queue& queue_;
    const CampaignOptions& options_;
    std::function<void(CampaignResult)> done_;
    Progress progress_;
    std::unique_ptr<Ticket> ticket_;
    std::vector<std::string> child_env_; // built while waiting, used at the grant
    std::optional<Waiter> waiter_;
    std::optional<Hold> hold_;
    os::Timer join_retry_; // while the join lock is held by a stopped or hostile process
    std::optional<os::ReaderGoneWatch> reader_gone_; // --hold: nobody left to read the path
    // Ending after --cut=preempt while an evicted command runs: see evicted_gone.
    os::LockWaiter evicted_wait_;
    os::Timer evicted_heartbeat_;
    bool ending_ = false;
    CampaignResult ending_result_;
    std::optional<std::chrono::steady_clock::time_point> join_tried_since_;
    bool said_join_lock_held_ = false;
};

// The signals a campaign handles (SPEC §3).
// unless_ignored: not the signals this process was started ignoring (nohup).
std::vector<std::unique_ptr<os::SignalWatch>>
watch_signals(os::Loop& loop, std::function<void(int)> fn, bool unless_ignored = false);

} // namespace coordctl
