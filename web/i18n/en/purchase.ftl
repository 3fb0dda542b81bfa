# Buying instances: the form's seven steps, its problems and the summary.
purchase-title = Buy instances
purchase-heading = Buy Flexus L instances
purchase-buy-link = Buy instances
purchase-intro = Fill in the steps below, top to bottom: each step only offers what fits the ones before it. Nothing is bought until you confirm the summary at the end.
purchase-errors = { $count ->
    [one] 1 field needs attention: see the message beside it.
   *[other] { $count } fields need attention: see the messages beside them.
}

purchase-step-account = 1. Account and region
purchase-field-account = Cloud account that pays
purchase-account-hint = The Huawei Cloud account the instances are bought in and charged to.
purchase-account-label = { $name } (Huawei account { $domain })
purchase-account-choose = Choose an account
purchase-account-no-iam = it has no IAM user. Huawei Cloud sells instances only to an IAM user signed in with a password, so add one to the account first.
purchase-account-no-region = no region is connected.
purchase-account-paused = its syncing is paused. The panel follows what it buys through the syncs, so resume them first.
purchase-account-unusable = { $name } cannot buy: { $why }
purchase-account-fix = Change { $name }
purchase-no-account = None of this team's cloud accounts can buy instances yet. Connect an account with an IAM user (on the Cloud accounts page), then come back.
purchase-field-region = Region
purchase-region-choose = Choose a region
purchase-region-wait = Choose an account first

purchase-step-image = 2. Image
purchase-field-image = What the instances run
purchase-image-choose = Choose an image
purchase-images-apps = Applications (ready to use, on Linux)
purchase-images-systems = Operating systems
purchase-images-private = Your own image
purchase-image-private = A private image of yours, by its id
purchase-image-label = { $name } — { $about }
purchase-image-about = { $name }: { $about }.
purchase-field-version = Version
purchase-version-choose = Choose a version
purchase-field-image-id = Private image id
purchase-image-id-hint = As the Huawei console shows it under Image Management Service, 36 characters such as 1b2c3d4e-0000-4000-8000-000000000000. The image must be in the chosen region.
purchase-field-image-os = Operating system of the image
purchase-note-image-gone = { $image } is not sold in { $region }: choose another image.

purchase-step-plan = 3. Plan
purchase-plan-hint = Each plan: processors · memory · system disk · peak internet bandwidth · traffic included each month. Smallest first.
purchase-plan-words = { $vcpus ->
    [one] 1 vCPU
   *[other] { $vcpus } vCPUs
} · { $ram } GiB memory · { $disk } GiB system disk · { $bandwidth } Mbit/s peak · { $traffic } GB traffic a month
purchase-plans-wait-region = Choose an account and a region first: the plans depend on them.
purchase-plans-wait-image = Choose an image first: the plans depend on it.
purchase-plans-none = No plan is sold with this image here; choose another image or version.
purchase-note-plan-gone = The plan you had chosen ({ $plan }) is not sold with this choice: choose one of these.
purchase-show-choices = Show matching choices
purchase-show-choices-hint = After changing the account, region or image, this updates the lists below them (your browser does it by itself when JavaScript is on).

purchase-step-extras = 4. Extras (for each instance)
purchase-field-data-disk = Data disk in GiB (leave empty for none)
purchase-data-disk-hint = 10 to 2048 GiB. Huawei Cloud's purchase API has no choice of disk type: the disk is of the type Flexus L gives.
purchase-field-backup = Cloud backup in GiB (leave empty for none)
purchase-backup-hint = 10 to 2048 GiB of backup storage for each instance.
purchase-field-hss = Host security
purchase-hss-hint = Huawei Cloud's host security service, which watches each instance for intrusions and weak passwords.

purchase-step-period = 5. Period and payment
purchase-field-period = Buy for
purchase-months = { $count ->
    [one] 1 month
   *[other] { $count } months
}
purchase-years = { $count ->
    [one] 1 year
   *[other] { $count } years
}
purchase-field-auto-renew = Renew automatically at the end of the period
purchase-auto-renew-hint = Huawei Cloud then renews each instance for the same period before it expires, and charges the account; otherwise the instances stop when the period ends.
purchase-field-auto-pay = Pay now from the Huawei account's balance
purchase-auto-pay-hint = Without this, Huawei Cloud creates an order that waits until someone pays it in the Huawei console; the instances are created only then.

purchase-step-names = 6. Name, quantity, description and tags
purchase-field-name = Instance name
purchase-name-hint = 1 to 128 characters: Chinese characters, letters, digits, “_” and “-”, starting with a Chinese character or a letter. With several instances, at most 123, because Huawei Cloud adds a number to each name.
purchase-field-quantity = How many instances (1 to 200)
purchase-names-rule = Several instances bought together are named NAME-0001, NAME-0002 and so on.
purchase-names-one = It is named { $name }.
purchase-names-few = The { $count } instances are named { $names }.
purchase-names-many = The { $count } instances are named { $first }, { $second } … { $last }.
purchase-field-description = Description (optional, at most 1024 characters)
purchase-field-tags = Tags (optional)
purchase-tags-hint = One tag per line, as key=value, at most 9. A key has 1 to 32 Chinese characters, letters, digits, “_” or “-” and starts with a Chinese character or a letter; a value has at most 255 characters. The panel adds its own tag, lightdeck-purchase, to find what it bought.

purchase-step-review = 7. Check and buy
purchase-review-hint = The next page lists everything in plain words. Nothing is bought before you confirm there.
purchase-review = Review the purchase

purchase-summary-heading = Please check before buying
purchase-summary-what = { $count ->
    [one] 1 instance of the plan { $code } ({ $plan }), running { $image }.
   *[other] { $count } instances of the plan { $code } ({ $plan }), each running { $image }.
}
purchase-summary-image = { $name } { $version }
purchase-summary-private = your private image { $id } ({ $os })
purchase-summary-where = In the region { $region }.
purchase-summary-account = Bought in and charged to the cloud account { $account } (Huawei account { $domain }).
purchase-summary-period = For { $term }.
purchase-summary-renew = Renewed automatically for the same period before they expire, at the account's expense.
purchase-summary-no-renew = Not renewed automatically: they stop when the period ends unless someone renews them.
purchase-summary-autopay = Paid at once from the balance of { $account }, at Huawei Cloud's price for the plan.
purchase-summary-no-autopay = Nothing is paid yet: the order waits for payment in the Huawei console, and the instances are created once it is paid.
purchase-summary-extras = With each instance: { $extras }.
purchase-summary-no-extras = No data disk, backup or host security.
purchase-summary-data-disk = a { $size } GiB data disk
purchase-summary-backup = { $size } GiB of cloud backup
purchase-summary-hss = host security
purchase-list-sep = ,{" "}
purchase-summary-names = { $names }
purchase-summary-description = Description: { $text }
purchase-summary-tags = Tags: { $tags }.
purchase-summary-own-tag = The panel also tags them lightdeck-purchase, so it can find them even if Huawei Cloud's answer is lost.
purchase-spends-money = This spends money.
purchase-reauth-hint = Asked again because this spends money and you last typed it more than 10 minutes ago.
purchase-confirm = { $count ->
    [one] Buy 1 instance
   *[other] Buy { $count } instances
}
purchase-change = Change something

purchase-error-account-none = Choose the cloud account that pays.
purchase-error-account-unknown = Choose one of this team's cloud accounts.
purchase-error-account-no-iam = { $account } has no IAM user: Huawei Cloud sells instances only to an IAM user signed in with a password. Add one to the account first, or choose another account.
purchase-error-account-paused = Syncing of { $account } is paused: the panel follows what it buys through the syncs. Resume them on the account's page first, or choose another account.
purchase-error-account-changed = This account can no longer buy in this region (its IAM user or the region was removed meanwhile); choose again.
purchase-error-region-none = Choose a region.
purchase-error-region-unknown = Choose one of the account's regions.
purchase-error-region-not-connected = { $account } is not connected in { $region }; choose one of its regions.
purchase-error-image-none = Choose an image.
purchase-error-image-unknown = Choose one of the images listed: this one is not sold for Flexus L.
purchase-error-image-not-here = { $image } is not sold in { $region }; choose another image.
purchase-error-version = Choose one of the versions of { $image } sold in { $region }.
purchase-error-image-id = Give the private image's id as the Huawei console shows it: 36 characters such as 1b2c3d4e-0000-4000-8000-000000000000.
purchase-error-image-os = Choose Linux or Windows.
purchase-error-plan-none = Choose a plan.
purchase-error-plan-unknown = Choose one of the plans listed.
purchase-error-plan-not-with-image = { $plan } is not sold with { $image } in { $region }; choose one of the plans listed.
purchase-error-plan-os = { $plan } is not a { $os } plan; choose one of the plans listed.
purchase-error-plan-not-private = { $plan } is not sold with private images in { $region }; choose one of the plans listed.
purchase-error-size = Give a whole number of GiB from 10 to 2048, or leave it empty.
purchase-error-period = Choose 1 to 9 months or 1 to 3 years.
purchase-error-quantity = Give a whole number from 1 to 200.
purchase-error-name-required = Give the instances a name.
purchase-error-name-long = A name has at most 128 characters.
purchase-error-name-rules = Use only Chinese characters, letters, digits, “_” and “-”, and start with a Chinese character or a letter.
purchase-error-name-numbered = With several instances the name has at most 123 characters: Huawei Cloud adds -0001, -0002 and so on.
purchase-error-description-long = A description has at most 1024 characters.
purchase-error-description-control = A description must not contain control characters such as tabs.
purchase-error-tags-list = { $problems }
purchase-error-tag-line = line { $line }: { $problem }
purchase-error-sep = ;{" "}
purchase-error-tag-key-empty = the key before “=” is empty
purchase-error-tag-key = a key has 1 to 32 Chinese characters, letters, digits, “_” or “-” and starts with a Chinese character or a letter
purchase-error-tag-reserved = lightdeck-purchase is the panel's own tag
purchase-error-tag-twice = the key “{ $key }” is given twice
purchase-error-tag-value-long = a value has at most 255 characters
purchase-error-tag-value-control = a value must not contain control characters
purchase-error-tags-many = at most 9 tags
purchase-error-tags = these are not tags as Huawei Cloud takes them
purchase-error-combination = This does not fit the other choices; choose again.

# What each catalog image is (purchase-image-about- and the image's name in lower case).
purchase-image-about-bt = BT Panel, a web control panel for running websites on Linux
purchase-image-about-wordpress = websites and blogs
purchase-image-about-portainer = Docker containers, managed from a web page
purchase-image-about-prestashop = an online shop
purchase-image-about-nextcloud = file sharing and collaboration
purchase-image-about-gitlab = code hosting, reviews and CI
purchase-image-about-odoo = business applications (sales, stock, accounting)
purchase-image-about-superset = charts and dashboards from your data
purchase-image-about-matomo = website visitor statistics
purchase-image-about-srs = a live video streaming server
purchase-image-about-palworld = a game server for Palworld
purchase-image-about-redmine = project management and issue tracking
purchase-image-about-nodejs = the Node.js runtime, for JavaScript servers
purchase-image-about-moodle = online courses and learning
purchase-image-about-kodbox = an online drive and file manager
purchase-image-about-joomla = websites (a content management system)
purchase-image-about-ghost = publishing and newsletters
purchase-image-about-crm = customer relationship management
purchase-image-about-ubuntu = Linux (Ubuntu)
purchase-image-about-huawei-cloud-euleros = Linux (Huawei Cloud's own EulerOS)
purchase-image-about-centos = Linux (CentOS)
purchase-image-about-debian = Linux (Debian)
purchase-image-about-windowsserver = Windows Server (Chinese editions)
purchase-image-about-centos-stream = Linux (CentOS Stream)
purchase-already-bought = This form was already confirmed with other choices, and that purchase stands. Your changes were not bought: confirm below to buy them as a new purchase.
purchase-already-bought-link = See the first purchase
