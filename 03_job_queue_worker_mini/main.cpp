// sd-jobqueue: a bounded, durable job queue speaking HTTP (9003) and the beanstalkd protocol
// (11300), with its write-ahead log in --data. `sd-jobqueue demo [--policy reject]` runs the
// seed's worker-pool lesson instead. Composition root only: the queue is 03's module.
#include <iostream>
#include <string_view>

#include "03_job_queue_worker_mini/lesson/seed_demo.hpp"
#include "03_job_queue_worker_mini/server/jobqueue_module.hpp"
#include "05_observability_basics_mini/http/observability_middleware.hpp"
#include "core/http/app.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "demo") {
    lesson::DemoOptions demo;
    for (int i = 2; i < argc; ++i) {
      if (std::string_view(argv[i]) == "reject" || std::string_view(argv[i]) == "--policy=reject") {
        demo.policy = lesson::FullPolicy::kReject;
      }
    }
    lesson::RunSeedDemo(demo, std::cout);
    return 0;
  }
  core::App app({"sd-jobqueue", "bounded durable job queue: HTTP + the beanstalkd protocol", 9003});
  obs::HttpObservability o11y;
  jobs_server::JobQueueModule jobs(o11y.registry());
  app.Add(o11y).Add(jobs);
  return app.Run(argc, argv);
}
