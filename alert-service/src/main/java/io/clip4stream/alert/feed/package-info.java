/** What the API shows of alerts: their JSON form and a follower of the alerts topic keeping the recent ones. */
package io.clip4stream.alert.feed;
