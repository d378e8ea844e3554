# A real beanstalkd client (Debian's ruby-beaneater, unchanged) driving put, reserve, release,
# bury, kick, touch, delete and stats; prints a transcript. beanstalk_differential_test.py runs it
# against beanstalkd and against sd-jobqueue and requires identical transcripts.
#
#   ruby beanstalk_client_script.rb 127.0.0.1:11300
require 'beaneater'

def show(label, value)
  puts "#{label}: #{value}"
end

VOLATILE = %w[age time_left pid version rusage_utime rusage_stime uptime id hostname os platform
              binlog_oldest_index binlog_current_index binlog_records_migrated
              binlog_records_written binlog_max_size total_connections current_connections
              pause_time_left].freeze

def stats_of(stats)
  stats.keys.sort.reject { |k| VOLATILE.include?(k.to_s) }.map { |k| "#{k}=#{stats[k]}" }.join(' ')
end

client = Beaneater.new(ARGV.fetch(0))
tube = client.tubes['differential']
client.tubes.watch!('differential')

show 'put a', tube.put('alpha', pri: 10, ttr: 30)[:status]
show 'put b', tube.put('bravo', pri: 5, ttr: 30)[:status]
show 'put c (delayed)', tube.put('charlie', pri: 1, delay: 60, ttr: 30)[:status]

job = client.tubes.reserve(0)
show 'reserved', "#{job.id} #{job.body} pri=#{job.pri} state=#{job.stats.state}"
show 'touch', job.touch[:status]
show 'release', job.release(pri: 20, delay: 0)[:status]

job = client.tubes.reserve(0)
show 'reserved again', "#{job.id} #{job.body} reserves=#{job.stats.reserves} releases=#{job.stats.releases}"
show 'bury', job.bury(pri: 3)[:status]
show 'peek buried', tube.peek(:buried).body
show 'kick', tube.kick(10)[:status]
show 'job stats', stats_of(job.stats)

job = client.tubes.reserve(0)
show 'reserved third', "#{job.id} #{job.body} kicks=#{job.stats.kicks}"
show 'delete', job.delete[:status]
job = client.tubes.reserve(0)
show 'reserved fourth', "#{job.id} #{job.body}"
show 'delete', job.delete[:status]

begin
  client.tubes.reserve(0)
rescue Beaneater::TimedOutError => e
  show 'empty reserve', e.class
end
show 'kick delayed', tube.kick(1)[:status]
job = client.tubes.reserve(0)
show 'reserved delayed', "#{job.id} #{job.body} kicks=#{job.stats.kicks}"
show 'delete', job.delete[:status]

begin
  client.jobs.find(job.id).delete
rescue NoMethodError => e
  show 'find deleted', 'nil'
end
show 'tube stats', stats_of(tube.stats)
show 'server stats', stats_of(client.stats)
show 'tubes', client.tubes.all.map(&:name).sort.join(',')
client.close
